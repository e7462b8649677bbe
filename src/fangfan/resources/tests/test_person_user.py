"""The link between a user account and its person (Person.user): only an account of the
person's unit, one person per account, offered only among the unit's accounts."""
from __future__ import annotations

from django.urls import reverse

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.core.tests.helpers import refused
from fangfan.resources.models import Person, person_of


def person(unit, name, **extra):
    return services.create_record(None, Person, {"unit": unit, "name": name, **extra})


def test_link_and_person_of(tree, make_user):
    guard = make_user(Role.GUARD, tree["a"])
    assert person_of(guard) is None
    linked = person(tree["a"], "黄建刚", is_guard=True, user=guard)
    assert person_of(guard) == linked
    assert person_of(None) is None


def test_account_of_another_unit_or_above_refused(tree, make_user):
    other = make_user(Role.GUARD, tree["b"])
    supervisor = make_user(Role.SUPERVISOR, tree["district"])
    message = refused("user", person, tree["a"], "外人", user=other)
    assert "no role in the person's unit" in message
    refused("user", person, tree["a"], "督导", user=supervisor)
    assert not Person.objects.exists()


def test_same_account_twice_refused(tree, make_user):
    guard = make_user(Role.GUARD, tree["a"])
    person(tree["a"], "黄建刚", user=guard)
    message = refused("user", person, tree["a"], "王建国", user=guard)
    assert "already linked" in message
    assert Person.objects.count() == 1


def test_form_offers_only_accounts_of_the_admins_units(client, tree, make_user, unit_admin):
    mine = make_user(Role.GUARD, tree["a"], username="mine")
    make_user(Role.GUARD, tree["b"], username="theirs")
    client.force_login(unit_admin)
    page = client.get(reverse("records:people-add")).content.decode()
    assert f'value="{mine.pk}"' in page
    assert "theirs" not in page
