"""Queries compiled once (core.prepared) read exactly what their querysets read."""
from __future__ import annotations

import pytest
from django.db.models import Q
from knox.models import AuthToken

from fangfan.core import permissions, registry
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


def test_a_token_brings_its_users_grants(tree, make_user):
    """The grants read with the token are those `permissions.grants` reads alone: none,
    one, or several (one row each, still one token)."""
    from fangfan.core import services

    user = make_user(Role.UNIT_ADMIN, tree["a"])
    bare = type(user).objects.create_user("no-grants", password="pw-long-enough-1")
    services.grant_role(None, user, tree["b"], Role.GUARD)
    for who in (user, bare):
        stored, _token = issue_token(who)
        found = _tokens(stored.token_key)
        assert [t.digest for t in found] == [stored.digest]
        expected = list(RoleGrant.objects.filter(user=who).values_list("role", "unit__path"))
        assert sorted(permissions.grants(found[0].user)) == sorted(expected)
    assert len(expected) == 0 and len(permissions.grants(_tokens(
        AuthToken.objects.filter(user=user).first().token_key)[0].user)) == 2


def test_a_lookup_that_rewrites_its_value_is_refused(db):
    rewriting = Prepared(lambda p: Unit.objects.filter(path__startswith=p).values_list("id"),
                         "\x00p\x00")
    with pytest.raises(ValueError):
        rewriting.rows("x")
    twice = Prepared(lambda p: Unit.objects.filter(Q(code=p) | Q(name=p)).values_list("id"),
                     "\x00p\x00")
    with pytest.raises(ValueError):
        twice.rows("x")


def test_a_condition_splits_into_a_shape_its_values_and_placeholders():
    from fangfan.core.prepared import Uncacheable, shape_of

    one = Q(unit_path__gte="0001", unit_path__lt="0002") | Q(user_id=7)
    other = Q(unit_path__gte="0005", unit_path__lt="0006") | Q(user_id=9)
    shape, values, placeholders = shape_of(one)
    assert shape == shape_of(other)[0] and values == ["0001", "0002", 7]
    assert "0001" not in str(placeholders) and len(str(placeholders)) > 20
    longer = Q(unit_path__in=["0001", "0002"])
    assert shape_of(longer)[0] != shape_of(Q(unit_path__in=["0001"]))[0]
    assert shape_of(~one)[0] != shape
    assert shape_of(Q())[0] == ("AND", False, ())
    for value in (True, None, object()):
        with pytest.raises(Uncacheable):
            shape_of(Q(x=value))


def _units(q: Q, start: int, stop: int):
    return Unit.objects.filter(q).order_by("path", "pk")[start:stop]


def test_shapes_compiled_once_read_what_their_querysets_read(tree, make_user):
    from fangfan.core.prepared import PreparedShapes, Uncacheable, shape_of
    from fangfan.core.scoping import subtree_q

    shapes = PreparedShapes(_units)
    conditions = [
        subtree_q("path", [tree["a"].path]), subtree_q("path", [tree["b"].path]),
        subtree_q("path", [tree["a"].path, tree["b"].path]),
        subtree_q("path", [tree["city"].path]), Q(),
        Q(code__in=["school-a", "district"]) | Q(pk=tree["b"].pk),
        ~Q(code="school-a"), Q(code="no-such-unit")]
    for q in conditions:
        for start, stop in ((0, 10), (1, 3)):
            found = shapes.objects(shape_of(q), start, stop)
            assert [(u.pk, u.path, u.name) for u in found] == [
                (u.pk, u.path, u.name) for u in _units(q, start, stop)]
            assert all(not u._state.adding for u in found)
            light = shapes.objects(shape_of(q), start, stop, light=True)
            assert [(r.id, r.path, r.name, r.parent_id) for r in light] == [
                (u.pk, u.path, u.name, u.parent_id) for u in found]
    compiled = len(shapes._compiled)
    shapes.objects(shape_of(subtree_q("path", [tree["district"].path])), 0, 10)
    assert len(shapes._compiled) == compiled  # the same shape: compiled before
    rewriting = Q(code__startswith="school")  # the value reaches the SQL as "school%"
    for _ in range(2):
        with pytest.raises(Uncacheable):
            shapes.objects(shape_of(rewriting), 0, 10)
    nothing = Q(pk__in=[])
    with pytest.raises(Uncacheable):
        shapes.objects(shape_of(nothing), 0, 10)


def test_a_unit_named_by_code_is_found_as_the_choices_queryset_finds_it(tree, make_user):
    """The compiled lookup of an API write's unit (`forms.unit_by_code`) finds what
    `unit_choices(...).get(code=…)` finds, for users of different scopes, every code of
    the tree and codes that name nothing."""
    from fangfan.core.forms import unit_by_code, unit_choices
    from fangfan.core.models import User

    people = registry.get("people")
    users = [make_user(Role.UNIT_ADMIN, tree["a"]), make_user(Role.UNIT_ADMIN, tree["district"]),
             make_user(Role.GUARD, tree["b"]),
             User.objects.create_superuser("root", password="pw-long-enough-1")]
    codes = [unit.code for unit in tree.values()] + ["nothing", "school-a ", "SCHOOL-A"]
    for user in users:
        for rt, action in ((people, "add"), (people, "change"), (registry.get("units"), "add")):
            choices = unit_choices(user, action, rt)
            for code in codes:
                expected = choices.filter(code=code).first()
                assert unit_by_code(user, action, rt, code) == expected, (user, code)
    assert unit_by_code(users[1], "add", people, "school-b").pk == tree["b"].pk
    assert unit_by_code(users[0], "add", people, "school-b") is None


@pytest.mark.parametrize("rt", registry.record_types(), ids=lambda rt: rt.slug)
def test_a_foreign_key_is_checked_as_django_checks_it(rt, tree):
    """A key holding a record's number is checked by SQL compiled once
    (`records._check_exists`): it finds what Django's `ForeignKey.validate` finds, with
    Django's message for a number that names nothing, for every key of an example of
    each type (`full_clean` of the example passes through it)."""
    from django.core.exceptions import ValidationError

    from fangfan.core import services
    from fangfan.core.models.records import UnitRecord, _check_exists

    obj = services.create_record(None, rt.model, rt.example(tree["a"]))
    if not isinstance(obj, UnitRecord):
        pytest.skip("not a unit record")
    keys = obj._numbered_relations(None)
    assert {f.name for f in keys} >= {"unit"}
    for field in keys:
        value = getattr(obj, field.attname)
        field.validate(value, obj)  # Django: exists
        _check_exists(field, value)
        messages = []
        for check in (lambda f, v: f.validate(v, obj), _check_exists):
            with pytest.raises(ValidationError) as refused:
                check(field, 2 ** 40)
            messages.append(refused.value.messages)
        assert messages[0] == messages[1]
        setattr(obj, field.attname, 2 ** 70)  # beyond any column: Django's own check
        assert field.name not in {f.name for f in obj._numbered_relations(None)}
        with pytest.raises(ValidationError) as refused:
            obj.clean_fields()
        assert field.name in refused.value.message_dict
        setattr(obj, field.attname, value)


@pytest.mark.parametrize("rt", registry.record_types(), ids=lambda rt: rt.slug)
def test_a_related_record_is_read_as_djangos_descriptor_reads_it(rt, tree):
    """`prepared.related` answers what `obj.<key>` answers, for every foreign key of an
    example of each type: the same record with the same column values, cached on the
    record as Django caches it (a second read asks nothing)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fangfan.core import services
    from fangfan.core.prepared import related

    made = services.create_record(None, rt.model, rt.example(tree["a"]))
    keys = [f for f in rt.model._meta.concrete_fields if f.many_to_one]
    assert keys or rt.model is Unit
    for field in keys:
        theirs = rt.model._base_manager.get(pk=made.pk)
        mine = rt.model._base_manager.get(pk=made.pk)
        expected = getattr(theirs, field.name)
        found = related(mine, field.name)
        assert found == expected and type(found) is type(expected)
        if expected is not None:
            columns = [f.attname for f in expected._meta.concrete_fields]
            assert [getattr(found, c) for c in columns] == \
                [getattr(expected, c) for c in columns]
        with CaptureQueriesContext(connection) as read:
            assert related(mine, field.name) is found
            assert getattr(mine, field.name) is found
        assert not read.captured_queries


def test_the_first_record_is_the_querysets_first(tree, make_user):
    """`prepared.first` answers `filter(q).order_by(…).first()`, and `fetch` the whole
    list or its first rows, for conditions of the shapes it compiles and for those it
    leaves to the queryset (a date), in three orders; a locked read locks as
    `select_for_update` (the same SQL but for the lock)."""
    import datetime as dt

    from django.db import connection
    from django.db.models import F

    from fangfan.core.prepared import fetch, first
    from fangfan.resources.models import Person

    for i in range(4):
        Person.objects.create(unit=tree["a" if i % 2 else "b"], name=f"人{i}",
                              unit_path=(tree["a" if i % 2 else "b"]).path)
    orders = [("pk",), ("-pk",), (F("name").desc(nulls_first=True), "pk")]
    conditions = [Q(unit_id=tree["a"].pk), Q(unit_id=tree["b"].pk) | Q(name="人0"),
                  Q(name="nobody"), Q(unit_path__startswith=tree["a"].path),
                  Q(created_at__date__gte=dt.date(2000, 1, 1)), Q(pk__in=[1, 2, 3])]
    for order in orders:
        for q in conditions:
            expected = Person.objects.filter(q).order_by(*order).first()
            assert first(Person, q, order=order) == expected, (q, order)
            assert first(Person, q, order=order, locked=True) == expected
            everyone = list(Person.objects.filter(q).order_by(*order))
            assert fetch(Person, q, order=order) == everyone, (q, order)
            assert fetch(Person, q, order=order, limit=2) == everyone[:2]
    unit = first(Unit, Q(pk=tree["a"].pk), locked=True)
    assert unit == tree["a"]
    if connection.features.has_select_for_update:
        from fangfan.core.prepared import _FETCH

        shapes = _FETCH[(Unit, ("pk",), True)]
        assert all("FOR UPDATE" in compiled[0] for compiled in shapes._compiled.values()
                   if compiled)


def test_sqlite_statements_are_rewritten_as_django_rewrites_them():
    """The SQLite cursor keeps each statement's placeholders rewritten once: the same
    text as Django's own rewriting, a literal `%%` included."""
    from django.db.backends.sqlite3.base import SQLiteCursorWrapper

    from fangfan.core.sqlite.base import CursorWrapper

    cursor = object.__new__(CursorWrapper)  # the rewriting reads no connection
    for sql in ["SELECT %s", "SELECT '100%%', %s, %%s", "SELECT 1", "UPDATE t SET a = %s"]:
        for _ in range(2):
            assert cursor.convert_query(sql) == SQLiteCursorWrapper.convert_query(None, sql)
    assert cursor.convert_query("SELECT %(a)s", param_names=["a"]) == "SELECT :a"


@pytest.mark.parametrize("rt", registry.record_types(), ids=lambda rt: rt.slug)
def test_a_record_named_by_number_is_found_as_the_choices_queryset_finds_it(rt, tree,
                                                                           make_user):
    """The compiled lookup of the record an API write's key names (`forms.related_by_pk`)
    finds what `related_choices(...).filter(pk=…).first()` finds, for every key of each
    type to another record type, users of four scopes, both actions, every record of the
    related type and numbers that name nothing."""
    from fangfan.core import services
    from fangfan.core.forms import related_by_pk, related_choices
    from fangfan.core.models import User

    keys = [f for f in rt.model._meta.concrete_fields if f.many_to_one and
            f.related_model is not Unit and registry.is_registered(f.related_model)]
    if not keys:
        pytest.skip("no key to another record type")
    if "add" in permissions.role_actions(Role.SYSTEM_ADMIN, rt):  # else no example
        for school in ("a", "b"):
            services.create_record(None, rt.model, rt.example(tree[school]))
    users = [make_user(Role.UNIT_ADMIN, tree["a"]), make_user(Role.UNIT_ADMIN, tree["district"]),
             make_user(Role.GUARD, tree["b"]),
             User.objects.create_superuser("root", password="pw-long-enough-1")]
    for field in keys:
        model = field.related_model
        numbers = [*model._base_manager.values_list("pk", flat=True), 0, 10 ** 9]
        for user in users:
            for action in ("add", "change"):
                choices = related_choices(user, action, rt, field.name,
                                          model._default_manager.all())
                for pk in numbers:
                    expected = choices.filter(pk=pk).first()
                    found = related_by_pk(user, action, rt, field.name, model, pk)
                    assert found == expected, (field.name, user, action, pk)
