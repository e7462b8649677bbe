"""The demo shows information work: R-MEET unmet for a missed quarter at 新桥, an
overdue follow-up task, training hours from sessions, and the district's reporting
window answered by 新桥 and not by the others."""
from django.core.management import call_command

from fangfan.core.models import Unit
from fangfan.information import reporting
from fangfan.information.models import FollowUpTask, ReportingWindow
from fangfan.standards.models import Result


def test_demo_information(db):
    call_command("demo")
    xinqiao = Unit.objects.get(code="xinqiao")
    meet = Result.objects.get(unit=xinqiao, requirement__ref="R-MEET")
    assert meet.status == "unmet" and meet.actual == 1
    assert FollowUpTask.objects.filter(unit=xinqiao, closed_on__isnull=True).count() == 2
    window = ReportingWindow.objects.get(unit__code="xinbei")
    r = reporting.roll_up(window)
    assert [s.unit.code for s in r.submitted] == ["xinqiao"]
    assert {u.code for u in r.missing} >= {"chunjiang"}
    assert r.columns[0].total and r.columns[0].total > 0  # prefilled from the guards
