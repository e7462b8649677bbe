"""Roles limited to the records they filed (`RecordType.own_rows`), generated from the
registry: for every such type and role, a record of the role's own unit filed by someone
else is in no list, API answer or export of theirs and its page answers 404, while their
own record is seen; a role the type does not limit, or a second role that covers the unit,
sees both. A generic check of `permissions.restrict` on a type given the option as well."""
from __future__ import annotations

import dataclasses

import pytest
from django.urls import reverse

from fangfan.core import permissions, registry, services
from fangfan.core.models import Role
from fangfan.core.registry import OwnRows
from fangfan.core.tests.helpers import hold_grant, own_row

LIMITED = [(rt, role) for rt in registry.record_types() if rt.own_rows
           for role in sorted(rt.own_rows.roles)]


def _pair(rt, tree, django_user_model):
    root = django_user_model.objects.create_superuser(f"root-{rt.slug}", password="x" * 12)
    hold_grant(rt, root, tree["a"])
    return [services.create_record(root, rt.model, rt.example(tree["a"])) for _ in (1, 2)]


def _ids(api_client, rt) -> set[int]:
    resp = api_client.get(f"/api/{rt.slug}/", {"page_size": 1000})
    assert resp.status_code == 200, resp.content
    return {row["id"] for row in resp.json()["results"]}


def test_some_type_limits_a_role():
    assert ("suspicious-reports", Role.STAFF) in {(rt.slug, r) for rt, r in LIMITED}


@pytest.mark.parametrize("rt, role", LIMITED, ids=lambda v: getattr(v, "slug", str(v)))
def test_only_their_own_records(rt, role, tree, make_user, client, api_client,
                                django_user_model):
    mine, theirs = _pair(rt, tree, django_user_model)
    user = make_user(role, tree["a"])
    hold_grant(rt, user, tree["a"])
    own_row(rt, mine, user)
    client.force_login(user)
    api_client.force_authenticate(user)
    html = client.get(reverse(rt.url_name("list"))).content.decode()
    assert f'href="{mine.get_absolute_url()}"' in html
    assert f'href="{theirs.get_absolute_url()}"' not in html
    assert _ids(api_client, rt) == {mine.pk}
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert api_client.get(f"/api/{rt.slug}/{theirs.pk}/").status_code == 404
    assert client.get(mine.get_absolute_url()).status_code == 200
    if "export" in permissions.role_actions(role, rt):
        resp = client.get(reverse(rt.url_name("export")), {"format": "csv"})
        assert resp.status_code == 200
        assert b"".join(resp.streaming_content).decode("utf-8-sig").count("school-a") == 1

    # A second role that covers the unit whole (its administrator) sees both.
    services.grant_role(None, user, tree["a"], Role.UNIT_ADMIN)
    permissions.forget_grants(user)
    assert {mine.pk, theirs.pk} <= _ids(api_client, rt)


def test_restrict_is_generic(tree, make_user, django_user_model):
    """Any role of any type may be limited: here the suspicious reports limited for
    guards instead of staff, through a copy of the declaration."""
    rt = dataclasses.replace(registry.get("suspicious-reports"),
                             own_rows=OwnRows("reported_by", frozenset({Role.GUARD})))
    mine, theirs = _pair(rt, tree, django_user_model)
    guard, staff = make_user(Role.GUARD, tree["a"]), make_user(Role.STAFF, tree["a"])
    own_row(rt, mine, guard)
    seen = rt.model.objects.filter(permissions.restrict(guard, "view", rt))
    assert set(seen.values_list("pk", flat=True)) == {mine.pk}
    seen = rt.model.objects.filter(permissions.restrict(staff, "view", rt))
    assert set(seen.values_list("pk", flat=True)) == {mine.pk, theirs.pk}
    # Path-level checks are unchanged: the guard may still view and add at the unit.
    assert permissions.allowed(guard, "view", rt, tree["a"].path)
    assert permissions.allowed(guard, "add", rt, tree["a"].path)


@pytest.mark.parametrize("rt, role", LIMITED, ids=lambda v: getattr(v, "slug", str(v)))
def test_the_check_after_a_write_sees_what_the_queryset_sees(rt, role, tree, make_user,
                                                             django_user_model):
    """NetBox's rule after every write (`services._still_visible`) judges in Python
    whether the writer still sees the record (`permissions.sees`): the same answer as
    the queryset's, for a role limited to its own records (their own record and
    someone else's), its administrator, and a superuser."""
    from django.db.models import Q

    mine, theirs = _pair(rt, tree, django_user_model)
    limited = make_user(role, tree["a"])
    own_row(rt, mine, limited)
    admin = make_user(Role.UNIT_ADMIN, tree["b"], username=f"admin-b-{rt.slug}")
    root = django_user_model.objects.get(username=f"root-{rt.slug}")
    answers = []
    for user in (limited, admin, root):
        hold_grant(rt, user, tree["a"])
        for obj in (mine, theirs):
            q = permissions.restrict(user, "view", rt) & Q(pk=obj.pk)
            answers.append(permissions.sees(user, rt, obj))
            assert answers[-1] == rt.model.objects.filter(q).exists()
    assert answers == [True, False, False, False, True, True]


@pytest.mark.parametrize("rt", registry.record_types(), ids=lambda rt: rt.slug)
def test_who_sees_a_record_is_judged_as_the_database_judges_it(rt, tree, make_user,
                                                              django_user_model):
    """`permissions.sees` (the check after every write) answers what the view scope's
    SQL answers for every record of each type (made at both schools and, where the
    type allows, at the district and the city: what is shared down is published
    above), for users of every role at a school, at the district and at the city, and a
    superuser."""
    from django.core.exceptions import ValidationError

    from fangfan.core.models import Unit

    if "add" in permissions.role_actions(Role.SYSTEM_ADMIN, rt):
        for school in ("a", "b"):
            services.create_record(None, rt.model, rt.example(tree[school]))
        for authority in ("district", "city"):  # what is shared down is published above
            try:
                services.create_record(None, rt.model, rt.example(tree[authority]))
            except ValidationError:  # a record of schools only
                pass
    users = [django_user_model.objects.create_superuser(f"root-{rt.slug}-sees",
                                                        password="pw-long-enough-1")]
    for i, role in enumerate(sorted(Role.values)):
        for where in ("a", "district", "city"):
            user = make_user(role, tree[where], username=f"u{i}-{where}")
            hold_grant(rt, user, tree["a"] if where == "a" else tree[where])
            users.append(user)
    records = list(rt.model._base_manager.all()) if rt.model is not Unit else \
        list(Unit.objects.all())
    assert records or rt.model is not Unit
    seen = 0
    for user in users:
        scope = rt.model._base_manager.filter(permissions.restrict(user, "view", rt))
        shown = set(scope.values_list("pk", flat=True))
        for obj in records:
            assert permissions.sees(user, rt, obj) == (obj.pk in shown), (user, obj.pk)
        seen += len(shown)
    assert seen or rt.model is not Unit
