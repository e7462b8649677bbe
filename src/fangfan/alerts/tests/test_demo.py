"""The demo's alert level (issue 11): the district raised level II for its schools;
新桥 acknowledged it and did half of its measures; 春江中学 has not acknowledged."""
from __future__ import annotations

from django.core.management import call_command

from fangfan.alerts.models import AlertOrder, BaselineSource, UnitAlert


def test_demo_alert_level(db):
    call_command("demo")
    order = AlertOrder.objects.get(unit__code="xinbei")
    assert order.level == 2 and order.in_force()
    assert [c.kind for c in order.changes.all()] == ["issued", "raised"]
    xinqiao = UnitAlert.objects.get(order=order, unit__code="xinqiao")
    assert xinqiao.acknowledged_at is not None
    assert (xinqiao.measures_done, xinqiao.measures_total) == (5, 11)
    # The normal guard force B comes from the duty roster (2 at the gate at once in the
    # demo week), so level II asks ceil(1.5·B) = 3; 7 were reported on duty.
    assert xinqiao.baseline_source == BaselineSource.ROSTER and xinqiao.baseline == 2
    assert xinqiao.guards_on_duty == 7 and xinqiao.guards_required == 3
    chunjiang = UnitAlert.objects.get(order=order, unit__code="chunjiang")
    assert chunjiang.acknowledged_at is None
    assert not UnitAlert.objects.filter(order=order, unit__code="xixiashu").exists()
    call_command("demo")  # idempotent
    assert AlertOrder.objects.filter(unit__code="xinbei").count() == 1
