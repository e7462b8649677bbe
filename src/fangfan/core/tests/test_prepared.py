"""Queries compiled once (core.prepared) read exactly what their querysets read."""
from __future__ import annotations

import pytest
from django.db.models import Q
from knox.models import AuthToken

from fangfan.core import permissions
from fangfan.core.authentication import _tokens, issue_token
from fangfan.core.models import Role, RoleGrant, Unit
from fangfan.core.prepared import Prepared


def test_grants_read_as_the_queryset_does(tree, make_user):
    user = make_user(Role.UNIT_ADMIN, tree["a"])
    permissions.forget_grants(user)
    from fangfan.core import services

    services.grant_role(None, user, tree["b"], Role.GUARD)
    permissions.forget_grants(user)
    expected = list(RoleGrant.objects.filter(user=user).values_list("role", "unit__path"))
    assert sorted(permissions.grants(user)) == sorted(expected) and len(expected) == 2
    other = make_user(Role.STAFF, tree["b"])
    assert permissions.grants(other) == [(Role.STAFF, tree["b"].path)]


def test_tokens_come_with_their_user_as_knox_reads_them(tree, make_user):
    user = make_user(Role.UNIT_ADMIN, tree["a"])
    stored, _token = issue_token(user)
    [found] = _tokens(stored.token_key)
    expected = AuthToken.objects.select_related("user").get(digest=stored.digest)
    for field in AuthToken._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname)
    assert found.expiry.tzinfo is not None  # converted as the ORM converts it
    for field in type(user)._meta.concrete_fields:
        assert getattr(found.user, field.attname) == getattr(expected.user, field.attname)
    assert found.user.pk == user.pk and not found._state.adding
    assert _tokens("no-such-key") == []


def test_a_lookup_that_rewrites_its_value_is_refused(db):
    rewriting = Prepared(lambda p: Unit.objects.filter(path__startswith=p).values_list("id"),
                         "\x00p\x00")
    with pytest.raises(ValueError):
        rewriting.rows("x")
    twice = Prepared(lambda p: Unit.objects.filter(Q(code=p) | Q(name=p)).values_list("id"),
                     "\x00p\x00")
    with pytest.raises(ValueError):
        twice.rows("x")
