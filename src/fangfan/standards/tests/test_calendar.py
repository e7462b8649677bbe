"""The obligation calendar: periods from terms, idempotent generation, statuses,
reminders once, completion through the service layer."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fangfan.core import services
from fangfan.core.models import AuditEntry, Notification, Role
from fangfan.standards import calendar, engine
from fangfan.standards.models import Obligation, SchoolTerm

D = dt.date
TODAY = D(2026, 11, 25)


def test_periods():
    assert calendar.periods("month", TODAY, []) == [(D(2026, 11, 1), D(2026, 11, 30)),
                                                    (D(2026, 12, 1), D(2026, 12, 31))]
    assert calendar.periods("quarter", TODAY, []) == [(D(2026, 10, 1), D(2026, 12, 31)),
                                                      (D(2027, 1, 1), D(2027, 3, 31))]
    assert calendar.periods("week", TODAY, [])[0] == (D(2026, 11, 23), D(2026, 11, 29))
    terms = [(2026, 1, D(2026, 9, 1), D(2027, 1, 23)), (2026, 2, D(2027, 2, 22), D(2027, 7, 2))]
    assert calendar.periods("semester", TODAY, terms) == [t[2:] for t in terms]
    assert calendar.periods("year", TODAY, terms) == [(D(2026, 9, 1), D(2027, 7, 2))]
    assert calendar.periods("semester", TODAY, []) == []
    assert calendar.periods("year", TODAY, []) == [(D(2026, 9, 1), D(2027, 8, 31))]


@pytest.fixture
def school_year(tree):
    for year, n, start, end in [(2026, 1, D(2026, 9, 1), D(2027, 1, 23)),
                                (2026, 2, D(2027, 2, 22), D(2027, 7, 2))]:
        services.create_record(None, SchoolTerm, {"unit": tree["city"], "school_year": year,
                                                  "number": n, "starts_on": start,
                                                  "ends_on": end})
    engine.evaluate_subtree([tree["city"].path])
    return tree


def _refs(unit) -> list[tuple[str, dt.date]]:
    return sorted(Obligation.objects.filter(unit=unit).values_list("requirement__ref",
                                                                   "due_on"))


def test_generation_from_terms_is_idempotent(school_year):
    created = calendar.generate(TODAY)
    assert created > 0 and calendar.generate(TODAY) == 0
    refs = _refs(school_year["a"])
    # Drills appear for both semesters of the school year at once (placeholders).
    assert ("R-DRILL", D(2027, 1, 23)) in refs and ("R-DRILL", D(2027, 7, 2)) in refs
    assert ("R-SELF", D(2026, 11, 30)) in refs and ("R-SELF", D(2026, 12, 31)) in refs
    assert ("R-MEET", D(2026, 12, 31)) in refs
    assert not Obligation.objects.filter(unit=school_year["district"],
                                         requirement__ref="R-DRILL")


def test_unit_terms_override_the_region(school_year):
    services.create_record(None, SchoolTerm, {"unit": school_year["b"], "school_year": 2026,
                                              "number": 1, "starts_on": D(2026, 8, 25),
                                              "ends_on": D(2027, 1, 15)})
    calendar.generate(TODAY)
    assert ("R-DRILL", D(2027, 1, 15)) in _refs(school_year["b"])
    assert ("R-DRILL", D(2027, 1, 23)) in _refs(school_year["a"])


def test_statuses_reminders_and_completion(school_year, make_user, client):
    admin = make_user(Role.UNIT_ADMIN, school_year["a"])
    calendar.tick(TODAY)
    nov = Obligation.objects.get(unit=school_year["a"], requirement__ref="R-SELF",
                                 due_on=D(2026, 11, 30))
    assert nov.status == "due"
    dec = Obligation.objects.get(unit=school_year["a"], requirement__ref="R-SELF",
                                 due_on=D(2026, 12, 31))
    assert dec.status == "upcoming"
    mine = Notification.objects.filter(user=admin)
    assert mine.filter(title__contains="Monthly self-inspection").count() == 1
    calendar.tick(TODAY)  # a second run sends nothing again
    assert mine.filter(title__contains="Monthly self-inspection").count() == 1

    calendar.refresh_statuses(D(2026, 12, 1))
    nov.refresh_from_db()
    assert nov.status == "overdue"

    client.force_login(admin)
    edit = reverse("records:obligations-edit", args=[nov.pk])
    bad = client.post(edit, {"done_on": "2026-11-24", "note": ""})
    assert bad.status_code == 400 and 'data-field="note"' in bad.content.decode()
    future = client.post(edit, {"done_on": "2099-01-01", "note": "x"})
    assert future.status_code == 400
    assert client.post(edit, {"done_on": "2026-11-24", "note": "全校自查，发现隐患2处"}
                       ).status_code == 302
    nov.refresh_from_db()
    assert nov.status == "done" and nov.done_on == D(2026, 11, 24)
    assert AuditEntry.objects.filter(record_type="standards.obligation",
                                     record_id=str(nov.pk), action="update").exists()
    page = client.get(reverse("calendar-unit", args=["school-a"])).content.decode()
    assert 'data-status="done"' in page and 'data-obligation="R-SELF"' in page


def test_calendar_page_for_authority_and_scoping(school_year, make_user, client):
    calendar.tick(TODAY)
    calendar.refresh_statuses(D(2026, 12, 2))
    client.force_login(make_user(Role.SUPERVISOR, school_year["district"]))
    html = client.get(reverse("calendar-unit", args=["district"])).content.decode()
    assert "甲小学" in html and "乙小学" in html and 'data-subtree="overdue">' in html
    client.force_login(make_user(Role.UNIT_ADMIN, school_year["a"]))
    assert client.get(reverse("calendar-unit", args=["school-b"])).status_code == 404


def test_term_must_end_after_it_starts(tree):
    with pytest.raises(ValidationError) as exc:
        services.create_record(None, SchoolTerm, {"unit": tree["city"], "school_year": 2026,
                                                  "number": 1, "starts_on": D(2026, 9, 1),
                                                  "ends_on": D(2026, 8, 1)})
    assert "ends_on" in exc.value.message_dict
