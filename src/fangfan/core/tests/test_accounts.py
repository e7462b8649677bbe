"""Accounts and roles in the browser's pages: who may give which role where; every
change audited; nothing leaks outside the manager's subtree."""
from __future__ import annotations

import pytest
from django.urls import reverse

from fangfan.core import audit
from fangfan.core.models import AuditEntry, Role, RoleGrant, User

GOOD = "long-enough-pw-9"


def post(client, **data):
    return client.post(reverse("accounts-manage"), {"password": "", "name": "", **data})


def test_unit_admin_gives_staff_roles_in_own_unit_only(tree, make_user, client):
    client.force_login(make_user(Role.UNIT_ADMIN, tree["a"]))
    resp = post(client, username="guard-a", name="王保安", password=GOOD,
                unit=tree["a"].pk, role=Role.GUARD)
    assert resp.status_code == 302
    guard = User.objects.get(username="guard-a")
    assert guard.check_password(GOOD) and guard.get_full_name() == "王保安"
    assert RoleGrant.objects.filter(user=guard, unit=tree["a"], role=Role.GUARD).exists()
    assert AuditEntry.objects.filter(record_type="core.rolegrant", action="create").exists()
    # No escalation, no sibling unit, no weak password, no taking someone's user name.
    assert post(client, username="boss", password=GOOD, unit=tree["a"].pk,
                role=Role.SYSTEM_ADMIN).status_code == 400  # not offered
    from fangfan.core import accounts
    from fangfan.core.services import OutOfScope

    admin = User.objects.get(username="unit_admin-school-a")
    with pytest.raises(OutOfScope):  # and refused by the service whatever the form says
        accounts.add_account(admin, username="boss", name="", password=GOOD,
                             unit=tree["a"], role=Role.SYSTEM_ADMIN)
    assert post(client, username="x", password=GOOD, unit=tree["b"].pk,
                role=Role.STAFF).status_code == 400  # not a unit they may choose
    assert post(client, username="weak", password="123", unit=tree["a"].pk,
                role=Role.STAFF).status_code == 400
    make_user(Role.STAFF, tree["b"], username="teacher-b")
    taken = post(client, username="teacher-b", unit=tree["a"].pk, role=Role.STAFF)
    assert taken.status_code == 400 and "taken" in taken.content.decode()
    assert set(User.objects.values_list("username", flat=True)) == {
        "unit_admin-school-a", "guard-a", "teacher-b"}
    assert audit.verify() is None


def test_list_shows_only_the_managed_subtree_and_revokes(tree, make_user, client):
    admin = make_user(Role.UNIT_ADMIN, tree["a"])
    mine = make_user(Role.STAFF, tree["a"], username="teacher-a")
    make_user(Role.STAFF, tree["b"], username="teacher-b")
    client.force_login(admin)
    html = client.get(reverse("accounts-manage")).content.decode()
    assert "teacher-a" in html and "teacher-b" not in html
    grant = RoleGrant.objects.get(user=mine)
    other = RoleGrant.objects.get(user__username="teacher-b")
    assert client.post(reverse("account-revoke", args=[other.pk])).status_code == 404
    own = RoleGrant.objects.get(user=admin)
    client.post(reverse("account-revoke", args=[own.pk]))
    assert RoleGrant.objects.filter(pk=own.pk).exists()  # not one's own role
    client.post(reverse("account-revoke", args=[grant.pk]))
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()


def test_password_of_managed_users_only(tree, make_user, client):
    client.force_login(make_user(Role.UNIT_ADMIN, tree["a"]))
    teacher = make_user(Role.STAFF, tree["a"], username="teacher-a")
    boss = make_user(Role.SYSTEM_ADMIN, tree["city"], username="boss")
    url = reverse("account-password", args=[teacher.pk])
    assert client.post(url, {"password": GOOD}).status_code == 302
    teacher.refresh_from_db()
    assert teacher.check_password(GOOD)
    assert client.get(reverse("account-password", args=[boss.pk])).status_code == 404


def test_system_admin_adds_a_further_role_and_others_see_no_page(tree, make_user, client):
    client.force_login(make_user(Role.SYSTEM_ADMIN, tree["district"]))
    teacher = make_user(Role.STAFF, tree["a"], username="teacher-a")
    assert post(client, username="teacher-a", unit=tree["b"].pk,
                role=Role.SUPERVISOR).status_code == 302
    assert RoleGrant.objects.filter(user=teacher).count() == 2
    client.force_login(make_user(Role.SUPERVISOR, tree["district"], username="sup"))
    assert client.get(reverse("accounts-manage")).status_code == 404
    assert "accounts/manage" not in client.get(reverse("home")).content.decode()
