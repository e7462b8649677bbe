"""Reporting windows (INF-1): open, submit (prefilled from records), late refused,
reopened for one unit, rolled up over the subtree, late units reminded once."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import Notification, Role
from fangfan.information import reporting
from fangfan.information.models import (
    ReportField,
    ReportingWindow,
    Submission,
    SubmissionValue,
    WindowReopening,
)
from fangfan.resources.models import Person


@pytest.fixture
def window(tree, make_user):
    sup = make_user(Role.SUPERVISOR, tree["district"])
    today = timezone.localdate()
    w = services.create_record(sup, ReportingWindow, {
        "unit": tree["district"], "kind": "term_start", "title": "开学安全信息报送",
        "opens_on": today, "deadline": today + dt.timedelta(days=5)})
    services.create_record(sup, ReportField, {
        "unit": tree["district"], "window": w, "position": 1, "label": "专职保安员",
        "kind": "number", "fact": "guards_full_time"})
    services.create_record(sup, ReportField, {
        "unit": tree["district"], "window": w, "position": 2, "label": "封闭管理",
        "kind": "choice", "options": "是\n否"})
    services.create_record(sup, ReportField, {
        "unit": tree["district"], "window": w, "position": 3, "label": "情况说明",
        "kind": "text", "required": False})
    return w, sup


def _fill(client, w, unit, **answers):
    fields = {f.position: f.pk for f in w.fields.all()}
    data = {"unit": unit.code, **{f"f{fields[int(k[1:])]}": v for k, v in answers.items()}}
    return client.post(reverse("information-window-fill", args=[w.pk]), data)


def test_submit_prefilled_roll_up_late_and_reopen(tree, window, make_user, client):
    w, sup = window
    a, b = tree["a"], tree["b"]
    for name in ("甲", "乙", "丙"):
        services.create_record(None, Person, {"unit": a, "name": name, "is_guard": True})
    admin_a = make_user(Role.UNIT_ADMIN, a)
    client.force_login(admin_a)
    page = client.get(reverse("information-window-fill", args=[w.pk]) + "?unit=school-a")
    assert page.status_code == 200 and 'value="3"' in page.text  # three guards recorded
    assert 'data-testid="prefilled"' in page.text
    # a choice outside its options is refused, nothing saved
    bad = _fill(client, w, a, p1="3", p2="也许", p3="")
    assert bad.status_code == 400 and "Choose one of the options" in bad.text
    assert not Submission.objects.exists()
    bad = _fill(client, w, a, p1="三", p2="是", p3="")
    assert bad.status_code == 400 and not Submission.objects.exists()
    assert _fill(client, w, a, p1="3", p2="是", p3="无").status_code == 302
    sub = Submission.objects.get()
    assert sub.submitted_by == admin_a and sub.unit == a
    r = reporting.roll_up(w)
    assert [u.code for u in r.missing] == ["school-b"]
    assert r.columns[0].total == Decimal("3") and r.asked == 2
    assert dict(r.columns[1].counts) == {"是": 1, "否": 0}
    # b is late: after the deadline its submission is refused ...
    admin_b = make_user(Role.UNIT_ADMIN, b)
    late = timezone.localdate() + dt.timedelta(days=6)
    f1 = w.fields.get(position=1)
    from unittest import mock
    with mock.patch.object(timezone, "localdate", return_value=late):
        with pytest.raises(ValidationError, match="deadline"):
            services.create_record(admin_b, Submission, {"unit": b, "window": w})
        client.force_login(admin_b)
        page = client.get(reverse("information-window-fill", args=[w.pk]) + "?unit=school-b")
        assert 'data-testid="closed"' in page.text
        # ... until the district reopens the window for b
        services.create_record(sup, WindowReopening, {
            "unit": tree["district"], "window": w, "reopened_for": b,
            "until": late + dt.timedelta(days=2)})
        assert _fill(client, w, b, p1="2", p2="否", p3="").status_code == 302
    assert SubmissionValue.objects.get(submission__unit=b, field=f1).number == 2
    r = reporting.roll_up(w)
    assert r.missing == [] and r.columns[0].total == Decimal("5")
    assert dict(r.columns[1].counts) == {"是": 1, "否": 1}
    # the authority sees the roll-up page and the workbook
    client.force_login(sup)
    page = client.get(reverse("information-window-roll-up", args=[w.pk]))
    assert page.status_code == 200 and 'data-testid="total-1">5<' in page.text
    xlsx = client.get(reverse("information-window-roll-up-xlsx", args=[w.pk]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    # a school may not see the roll-up
    client.force_login(admin_a)
    assert client.get(reverse("information-window-roll-up", args=[w.pk])).status_code == 403


def test_late_units_are_reminded_once(tree, window, make_user):
    w, _sup = window
    admin_b = make_user(Role.UNIT_ADMIN, tree["b"])
    make_user(Role.UNIT_ADMIN, tree["a"])
    services.create_record(None, Submission, {"unit": tree["a"], "window": w})
    late = w.deadline + dt.timedelta(days=1)
    assert reporting.remind_late(late) == 1
    assert reporting.remind_late(late) == 0
    note = Notification.objects.get()
    assert note.user == admin_b and "开学安全信息报送" in note.title


def test_field_types_refuse_bad_definitions(tree, window):
    w, sup = window
    with pytest.raises(ValidationError, match="two different options"):
        services.create_record(sup, ReportField, {
            "unit": tree["district"], "window": w, "position": 4, "label": "x",
            "kind": "choice", "options": "是"})
    with pytest.raises(ValidationError, match="Only a number"):
        services.create_record(sup, ReportField, {
            "unit": tree["district"], "window": w, "position": 4, "label": "x",
            "kind": "text", "fact": "guards_full_time"})
    assert w.fields.count() == 3
