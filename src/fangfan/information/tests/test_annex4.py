"""The annex-4 statistics table from records, for a subtree, in a constant number of
queries."""
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.information import annex4
from fangfan.information.models import (
    LegalVicePrincipal,
    TrainingParticipant,
    TrainingSession,
)
from fangfan.inspections.models import Hazard
from fangfan.resources.models import Person


def _records(tree):
    a, b = tree["a"], tree["b"]
    today = timezone.localdate()
    guards = [services.create_record(None, Person, {"unit": a, "name": n, "is_guard": True})
              for n in ("甲", "乙")]
    services.create_record(None, Person, {"unit": a, "name": "兼职", "is_guard": True,
                                          "full_time": False})
    s = services.create_record(None, TrainingSession, {
        "unit": a, "kind": "training", "held_on": today, "topic": "培训", "hours": 2})
    for g in guards:
        services.create_record(None, TrainingParticipant, {"unit": a, "session": s,
                                                           "person": g})
    services.create_record(None, TrainingSession, {
        "unit": b, "kind": "publicity", "held_on": today, "topic": "国家安全日宣传",
        "hours": 1, "audience": 650, "publicity_form": "board"})
    services.create_record(None, LegalVicePrincipal, {
        "unit": a, "name": "王卫东", "organisation": "新桥派出所"})
    for title in ("南门石球缺失", "围墙破损"):
        services.create_record(None, Hazard, {"unit": b, "title": title, "found_on": today})


def test_figures_from_records(tree, make_user):
    _records(tree)
    user = make_user(Role.SUPERVISOR, tree["district"])
    cols = [c.title for c in annex4.columns()]
    rows = {r[1]: dict(zip(cols, r, strict=True)) for r in annex4.rows(user, tree["district"])}
    assert set(rows) == {"甲小学", "乙小学"}  # schools only, not the bureau
    a, b = rows["甲小学"], rows["乙小学"]
    assert a["Staff and students"] == 980 and a["Full-time guards required (annex 1)"] == 2
    assert a["Full-time guards in post"] == 2 and a["Guards up to standard"] is True
    assert b["Full-time guards in post"] is None  # no people recorded: not known
    assert a["Training sessions this year"] == 1 and a["Training attendances this year"] == 2
    assert b["Publicity activities this year"] == 1
    assert b["Reached by publicity this year"] == 650
    assert a["Legal-education vice principal"] == "王卫东"
    assert b["Legal-education vice principal"] == "None appointed"
    assert b["Hazards found this year"] == 2 and b["Hazards still open"] == 2
    assert a["Hazards still open"] == 0
    total = annex4.total(annex4.columns(), annex4.rows(user, tree["district"]))
    assert total[cols.index("Hazards still open")] == 2
    assert total[cols.index("Reached by publicity this year")] == 650


def test_download_runs_constant_queries(tree, make_user, client):
    _records(tree)
    user = make_user(Role.SUPERVISOR, tree["district"])
    client.force_login(user)
    url = reverse("information-annex4-unit", args=[tree["district"].code])
    with CaptureQueriesContext(connection) as few:
        resp = client.get(url)
    assert resp.status_code == 200
    sheet = load_workbook(io.BytesIO(resp.content)).active
    assert sheet.cell(4, 2).value == "甲小学" and sheet.cell(5, 2).value == "乙小学"
    for i in range(6):
        services.create_unit(None, {"parent": tree["district"], "code": f"s{i}",
                                    "name": f"学校{i}", "kind": "school", "stage": "primary"})
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
    # a school may not have its district's table
    client.force_login(make_user(Role.UNIT_ADMIN, tree["a"]))
    assert client.get(url).status_code == 404
