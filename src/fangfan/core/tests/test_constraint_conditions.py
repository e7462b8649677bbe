"""A conditional unique constraint is left out of a record's check only where its
condition certainly fails (`records.condition_fails`): generated over every such
constraint of every model, against Django's own evaluation of the condition in the
database (`Q.check`), for each value each field of the condition can take."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.apps import apps
from django.db import models

from fangfan.core.models.records import condition_fails


def _conditional() -> list[tuple[type[models.Model], models.UniqueConstraint]]:
    return [(model, c) for model in apps.get_models() for c in model._meta.constraints
            if isinstance(c, models.UniqueConstraint) and c.condition is not None]


def _values(field: models.Field, wanted) -> list:
    """What a field of the condition may hold: its choices, the condition's constants,
    no value, and one of its own kind besides."""
    out = [None, *(v for v, _label in field.flatchoices)]
    out.extend(wanted if isinstance(wanted, (list, tuple)) else [wanted])
    if isinstance(field, models.DateField):
        out.append(dt.date(2026, 11, 28))
    return [v for v in out if v is not None or field.null] or [None]


def test_there_are_conditional_constraints_to_check():
    assert len(_conditional()) >= 2


@pytest.mark.parametrize(("model", "constraint"), _conditional(),
                         ids=lambda x: getattr(x, "name", getattr(x, "__name__", "")))
def test_a_condition_judged_failing_fails_in_the_database(db, model, constraint):
    children = [c for c in constraint.condition.children if isinstance(c, tuple)]
    fields = [model._meta.get_field(name.partition("__")[0]) for name, _v in children]
    judged = 0
    for combo in itertools.product(*[_values(f, v) for f, (_n, v) in
                                     zip(fields, children, strict=True)]):
        instance = model(**{f.attname: v for f, v in zip(fields, combo, strict=True)})
        holds = constraint.condition.check(
            instance._get_field_expression_map(meta=model._meta))
        if condition_fails(constraint, instance):
            judged += 1
            assert not holds, (constraint.name, combo)
    assert judged, constraint.name  # some value fails it (else it checks nothing)


def test_a_closed_gap_hazard_is_not_checked_an_open_one_is():
    from fangfan.inspections.models import Hazard

    constraint = next(c for c in Hazard._meta.constraints if c.name == "one_open_gap_hazard")
    assert condition_fails(constraint, Hazard(source="gap", status="closed"))
    assert not condition_fails(constraint, Hazard(source="gap", status="found"))
    assert condition_fails(constraint, Hazard(source="inspection", status="found"))


def test_a_condition_that_holds_is_still_checked(tree):
    """One legal-education vice principal in office per unit: a second in office is
    refused with the type's message and nothing saved; one who has left is kept."""
    from django.core.exceptions import ValidationError

    from fangfan.core import services
    from fangfan.information.models import LegalVicePrincipal

    fields = {"unit": tree["a"], "name": "王卫东", "organisation": "新桥派出所"}
    services.create_record(None, LegalVicePrincipal, fields)
    with pytest.raises(ValidationError) as refused:
        services.create_record(None, LegalVicePrincipal, {**fields, "name": "李明"})
    assert "in office" in str(refused.value)
    services.create_record(None, LegalVicePrincipal, {
        **fields, "name": "张三", "appointed_on": dt.date(2020, 9, 1),
        "ended_on": dt.date(2024, 7, 1)})
    assert LegalVicePrincipal.objects.count() == 2


def test_a_unique_constraint_compiled_once_answers_as_django(db):
    """For every unique constraint on columns of a record type with a record in the
    demo: the record itself passes, a copy of it as a new record is refused with
    Django's own message, as `UniqueConstraint.validate` decides."""
    from django.core.exceptions import ValidationError
    from django.core.management import call_command

    from fangfan.core.models.records import CompiledUnique, UnitRecord

    call_command("demo")
    checked = []
    for model in apps.get_models():
        if not issubclass(model, UnitRecord):
            continue
        stored = model.objects.order_by("pk").first()
        if stored is None:
            continue
        for _owner, constraints in stored.get_constraints():
            for compiled in constraints:
                if not isinstance(compiled, CompiledUnique):
                    continue
                django = compiled.constraint
                compiled.validate(model, stored)  # itself: no clash
                django.validate(model, stored)
                copy = model.objects.get(pk=stored.pk)
                copy.pk, copy._state.adding = None, True
                with pytest.raises(ValidationError) as ours:
                    compiled.validate(model, copy)
                with pytest.raises(ValidationError) as theirs:
                    django.validate(model, copy)
                assert ours.value.messages == theirs.value.messages, django.name
                checked.append(django.name)
    assert len(checked) >= 8, checked
