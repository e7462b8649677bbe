"""Synthetic hazards and inspections for the benchmarks (`fangfan generate`)."""
from django.core.management import call_command
from django.db.models import F

from fangfan.inspections import escalation
from fangfan.inspections.models import OPEN_STATUSES, Hazard, Inspection
from fangfan.inspections.synthetic import HAZARDS_PER_UNIT
from fangfan.standards.models import SchoolTerm


def test_generate_hazards_and_inspections(db, capsys):
    call_command("generate", units=10, seed=3)
    assert Hazard.objects.count() == 10 * HAZARDS_PER_UNIT
    assert not Hazard.objects.exclude(unit_path=F("unit__path")).exists()
    open_ = Hazard.objects.filter(status__in=OPEN_STATUSES)
    assert 0 < open_.count() < 40  # about 5 %
    closed = Hazard.objects.filter(status="closed")
    assert not closed.filter(closed_on__isnull=True).exists()
    assert not closed.filter(closed_on__lt=F("found_on")).exists()
    assert Inspection.objects.filter(kind="self").exists()
    assert Inspection.objects.filter(kind="supervisory", by_supervisor=True).exists()
    assert SchoolTerm.objects.filter(unit__code="syn-root").count() == 3
    assert "200 hazards" in capsys.readouterr().out
    escalation.run()  # the day's due ones, then nothing
    assert escalation.run() == {"reminded": 0, "overdue": 0, "escalated": 0}
