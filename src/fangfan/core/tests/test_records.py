"""The record machinery through pages and API: list, detail, create, edit, delete,
import, export, attachments; bad input changes nothing and says why."""
from __future__ import annotations

import hashlib
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fangfan.core import audit, services
from fangfan.core.models import AuditEntry, Role, Unit
from fangfan.resources.models import Asset, Location, Person


@pytest.fixture
def admin_client(client, unit_admin):
    client.force_login(unit_admin)
    return client


def _loc(unit, name, **extra):
    return services.create_record(None, Location, {"unit": unit, "name": name,
                                                   "kind": extra.pop("kind", "other"), **extra})


def test_list_filters_searches_sorts_and_paginates(tree, admin_client):
    for i in range(30):
        _loc(tree["a"], f"部位{i:02d}", kind="lab" if i % 3 == 0 else "other")
    url = reverse("records:locations-list")

    def rows(params=None) -> int:
        html = admin_client.get(url, params or {}).content.decode()
        return len(re.findall(r'href="/locations/\d+/"', html))

    assert rows() == 25
    assert rows({"page": 2}) == 5
    assert rows({"kind": "lab"}) == 10
    assert rows({"q": "部位07"}) == 1
    desc = admin_client.get(url, {"sort": "-name"}).content.decode()
    assert desc.index("部位29") < desc.index("部位28")


def test_htmx_filter_returns_only_the_table(tree, admin_client):
    _loc(tree["a"], "南校门", kind="main_gate")
    resp = admin_client.get(reverse("records:locations-list"), {"q": "南"},
                            HTTP_HX_REQUEST="true", HTTP_HX_TARGET="record-table")
    html = resp.content.decode()
    assert "南校门" in html and "<html" not in html


def test_create_edit_delete_through_pages(tree, admin_client):
    add = reverse("records:locations-add")
    resp = admin_client.post(add, {"unit": tree["a"].pk, "name": "食堂", "kind": "canteen",
                                   "is_key": "on"})
    loc = Location.objects.get(name="食堂")
    assert resp.status_code == 302 and resp["Location"] == loc.get_absolute_url()
    assert loc.unit_path == tree["a"].path and loc.is_key
    assert admin_client.get(loc.get_absolute_url()).status_code == 200
    edit = reverse("records:locations-edit", args=[loc.pk])
    assert admin_client.post(edit, {"unit": tree["a"].pk, "name": "学生食堂",
                                    "kind": "canteen"}).status_code == 302
    loc.refresh_from_db()
    assert loc.name == "学生食堂" and not loc.is_key
    entry = AuditEntry.objects.filter(record_id=str(loc.pk), action="update").get()
    assert entry.before == {"name": "食堂", "is_key": True}
    assert entry.after == {"name": "学生食堂", "is_key": False}
    assert entry.request_id
    assert admin_client.post(reverse("records:locations-delete", args=[loc.pk])).status_code == 302
    assert not Location.objects.filter(pk=loc.pk).exists()


def test_invalid_form_is_translated_names_the_field_and_saves_nothing(tree, make_user, client):
    user = make_user(Role.UNIT_ADMIN, tree["a"], username="zh-admin", language="zh-hans")
    client.force_login(user)
    resp = client.post(reverse("records:assets-add"), {
        "unit": tree["a"].pk, "category": "camera", "quantity": "0", "status": "in_service",
        "retention_days": "30"})
    html = resp.content.decode()
    assert resp.status_code == 400
    assert 'data-field="quantity"' in html and 'data-field="retention_days"' in html
    assert "确保该值大于或等于1" in html  # Django's own zh-Hans message
    assert not Asset.objects.exists()


def test_duplicate_location_name_refused(tree, admin_client):
    _loc(tree["a"], "南校门")
    resp = admin_client.post(reverse("records:locations-add"),
                             {"unit": tree["a"].pk, "name": "南校门", "kind": "other"})
    assert resp.status_code == 400 and 'data-field="name"' in resp.content.decode()
    assert Location.objects.count() == 1


def test_asset_location_must_belong_to_same_unit(tree):
    other = _loc(tree["b"], "乙校门")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.create_record(None, Asset, {"unit": tree["a"], "category": "camera",
                                             "location": other})
    assert "location" in exc.value.message_dict
    assert not Asset.objects.exists()


def test_protected_delete_is_refused(tree, admin_client):
    gate = _loc(tree["a"], "南校门")
    services.create_record(None, Asset, {"unit": tree["a"], "category": "camera",
                                         "location": gate})
    resp = admin_client.post(reverse("records:locations-delete", args=[gate.pk]), follow=True)
    assert "still used" in resp.content.decode()
    assert Location.objects.filter(pk=gate.pk).exists()


def _csv(text: str, name: str = "people.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")


def test_import_csv_all_rows_valid(tree, admin_client):
    from django.utils import translation

    from fangfan.core import registry, tabular

    with translation.override("zh-hans"):  # titles as the Chinese template has them
        titles = ",".join(tabular.headers(registry.get("people")))
        staff = str(Person._meta.get_field("employment_type").choices[0][1])
    data = (f"{titles}\n"
            f"school-a,李明,教师,教务处,13800001111,{staff},否\n"
            "school-a,王强,保安员,保安队,13800001112,Security company,是\n")
    resp = admin_client.post(reverse("records:people-import"), {"file": _csv(data)})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    guard = Person.objects.get(name="王强")
    assert guard.is_guard and guard.employment_type == "security_company"
    assert guard.unit_path == tree["a"].path
    assert AuditEntry.objects.filter(record_type="resources.person").count() == 2


def test_import_with_one_bad_row_imports_nothing(tree, admin_client):
    data = ("unit,name,kind,is_key\n"
            "school-a,南校门,main_gate,yes\n"
            "school-a,,canteen,yes\n"
            "school-b,乙门,main_gate,no\n"
            "school-a,配电房,power_plant,maybe\n")
    resp = admin_client.post(reverse("records:locations-import"),
                             {"file": _csv(data, "locations.csv")})
    html = resp.content.decode()
    assert resp.status_code == 400
    assert not Location.objects.exists()
    errors = _error_rows(html)
    assert ("3", "name") in errors
    assert ("4", "unit") in errors  # a sibling unit is not a valid choice
    assert ("5", "kind") in errors and ("5", "key location") in errors


def _error_rows(html: str) -> set[tuple[str, str]]:
    import re

    body = html.split('data-testid="import-errors"')[1]
    return {(r, c) for r, c in re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td>", body)}


def test_import_xlsx_and_unknown_column(tree, admin_client):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["unit", "category", "name", "location", "quantity", "retention days"])
    _loc(tree["a"], "监控中心", kind="control_room")
    ws.append(["school-a", "Video recorder", "录像机", "监控中心", 2, 90])
    buf = io.BytesIO()
    book.save(buf)
    upload = SimpleUploadedFile("assets.xlsx", buf.getvalue())
    resp = admin_client.post(reverse("records:assets-import"), {"file": upload})
    assert resp.status_code == 302
    rec = Asset.objects.get()
    assert (rec.category, rec.quantity, rec.retention_days, rec.location.name) == (
        "recorder", 2, 90, "监控中心")
    bad = admin_client.post(reverse("records:assets-import"),
                            {"file": _csv("unit,colour\nschool-a,red\n", "a.csv")})
    assert bad.status_code == 400 and "Unknown column" in bad.content.decode()


def test_import_template_and_export_round_trip(tree, admin_client):
    _loc(tree["a"], "南校门", kind="main_gate", is_key=True)
    tmpl = admin_client.get(reverse("records:locations-import"), {"template": 1})
    header = next(openpyxl.load_workbook(io.BytesIO(tmpl.content)).active.iter_rows(
        values_only=True))
    assert header[:3] == ("unit", "name", "kind")
    exported = admin_client.get(reverse("records:locations-export"), {"format": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(exported.content)).active.iter_rows(
        values_only=True))
    assert rows[1][:4] == ("school-a", "南校门", "Main gate", "yes")
    # The exported file imports again (into the same unit it is a duplicate name).
    Location.objects.all().delete()
    resp = admin_client.post(reverse("records:locations-import"),
                             {"file": SimpleUploadedFile("x.xlsx", exported.content)})
    assert resp.status_code == 302 and Location.objects.get().is_key


def test_attachment_is_stored_by_sha256_and_audited(tree, admin_client):
    loc = _loc(tree["a"], "南校门")
    content = b"photo of the gate"
    resp = admin_client.post(reverse("records:locations-attach", args=[loc.pk]),
                             {"file": SimpleUploadedFile("gate.jpg", content)})
    assert resp.status_code == 302
    from fangfan.core.models import Attachment

    att = Attachment.objects.get()
    assert att.sha256 == hashlib.sha256(content).hexdigest()
    entry = AuditEntry.objects.filter(action="attach").get()
    assert entry.after["sha256"] == att.sha256
    download = admin_client.get(reverse("attachment", args=[att.pk]))
    assert b"".join(download.streaming_content) == content
    assert audit.verify() is None


def test_unit_tree_pages(tree, make_user, client):
    sup = make_user(Role.SUPERVISOR, tree["district"])
    client.force_login(sup)
    resp = client.post(reverse("records:units-add"), {
        "parent": tree["district"].pk, "code": "school-c", "name": "丙幼儿园",
        "kind": "kindergarten", "stage": "kindergarten", "locale": "rural",
        "staff_count": 20, "student_count": 200, "boarder_count": 0, "key_target_grade": 0})
    assert resp.status_code == 302
    c = Unit.objects.get(code="school-c")
    assert c.path.startswith(tree["district"].path) and len(c.path) == 24
    bad = client.post(reverse("records:units-edit", args=[c.pk]), {
        "parent": tree["district"].pk, "code": "school-c", "name": "丙幼儿园",
        "kind": "kindergarten", "staff_count": 20, "student_count": 200,
        "boarder_count": 50, "key_target_grade": 0})
    assert bad.status_code == 400 and 'data-field="boarder_count"' in bad.content.decode()
    # A unit admin keeps their unit's contact current but cannot create units.
    client.force_login(make_user(Role.UNIT_ADMIN, c))
    assert client.get(reverse("records:units-add")).status_code == 403


def test_home_shows_real_counts(tree, admin_client):
    _loc(tree["a"], "南校门")
    _loc(tree["b"], "乙门")
    html = admin_client.get(reverse("home-counts")).content.decode()
    assert 'data-count="locations">1<' in html
    assert reverse("home-counts") in admin_client.get(reverse("home")).content.decode()


def test_switch_unit_narrows_lists(tree, make_user, client):
    sup = make_user(Role.SUPERVISOR, tree["district"])
    _loc(tree["a"], "甲门")
    _loc(tree["b"], "乙门")
    client.force_login(sup)
    assert client.post(reverse("switch-unit"), {"unit": "school-b"}).status_code == 302
    html = client.get(reverse("records:locations-list")).content.decode()
    assert "乙门" in html and "甲门" not in html
    assert client.post(reverse("switch-unit"), {"unit": "city"}).status_code == 404


def test_language_switch_is_saved_on_the_user(tree, unit_admin, client):
    client.force_login(unit_admin)
    client.post(reverse("set-language"), {"language": "zh-hans"})
    unit_admin.refresh_from_db()
    assert unit_admin.language == "zh-hans"
    assert '<html lang="zh-hans">' in client.get(reverse("home")).content.decode()
    client.post(reverse("set-language"), {"language": "en"})
    assert '<html lang="en">' in client.get(reverse("home")).content.decode()


def test_related_filter_offers_only_visible_records_and_matches_id_or_name(
        tree, admin_client, monkeypatch):
    mine, theirs = _loc(tree["a"], "南校门", kind="main_gate"), _loc(tree["b"], "乙校门")
    services.create_record(None, Asset, {"unit": tree["a"], "category": "camera",
                                         "name": "校门摄像机", "location": mine})
    services.create_record(None, Asset, {"unit": tree["a"], "category": "seal", "name": "封条"})
    url = reverse("records:assets-list")
    html = admin_client.get(url).content.decode()
    assert f'<option value="{mine.pk}">南校门</option>' in html
    assert "乙校门" not in html  # another unit's location never appears as a choice
    for value in (str(mine.pk), "南校"):
        page = admin_client.get(url, {"location": value}).content.decode()
        assert "校门摄像机" in page and "封条" not in page
    assert "校门摄像机" not in admin_client.get(url, {"location": theirs.pk}).content.decode()
    from fangfan.core import filters

    monkeypatch.setattr(filters, "CHOICE_LIMIT", 0)  # too many to list: a name search box
    html = admin_client.get(url).content.decode()
    assert 'name="location"' in html and f'<option value="{mine.pk}">' not in html


def test_unit_field_takes_a_code_when_the_scope_is_too_large_for_a_dropdown(
        tree, client, make_user, monkeypatch):
    from fangfan.core import forms

    monkeypatch.setattr(forms, "UNIT_CHOICE_LIMIT", 1)
    client.force_login(make_user(Role.SYSTEM_ADMIN, tree["district"]))
    add = reverse("records:locations-add")
    assert '<option value="' not in client.get(add).content.decode().split('name="unit"')[1][:200]
    client.post(add, {"unit": "school-b", "name": "乙食堂", "kind": "canteen"})
    loc = Location.objects.get(name="乙食堂")
    assert loc.unit == tree["b"]
    edit = client.get(reverse("records:locations-edit", args=[loc.pk])).content.decode()
    assert 'value="school-b"' in edit
    resp = client.post(add, {"unit": "city", "name": "越权", "kind": "other"})
    assert resp.status_code == 400 and not Location.objects.filter(name="越权").exists()


def test_what_decides_a_units_requirements_changes_only_from_above(tree, make_user, client):
    """A school keeps its contact current, but its kind, stage, grade and headcounts
    (which decide what is required of it) are set by its supervising authority: refused
    to the school's own administrator with a sentence, offered read-only in its form."""
    from django.core.exceptions import ValidationError

    school = tree["a"]
    own = make_user(Role.UNIT_ADMIN, school)
    with pytest.raises(ValidationError) as refused:
        services.update_record(own, school, {"key_target_grade": 1, "staff_count": 5})
    assert set(refused.value.message_dict) == {"key_target_grade", "staff_count"}
    assert "supervising authority" in refused.value.message_dict["key_target_grade"][0]
    school.refresh_from_db()
    services.update_record(own, school, {"contact_phone": "13800000001"})
    school.refresh_from_db()
    assert (school.key_target_grade, school.contact_phone) == (0, "13800000001")
    # The district's supervisor sets the grade; the district's own grade is the city's.
    services.update_record(make_user(Role.SUPERVISOR, tree["district"]), school,
                           {"key_target_grade": 1})
    with pytest.raises(ValidationError):
        services.update_record(make_user(Role.SUPERVISOR, tree["district"], "sup2"),
                               tree["district"], {"kind": "police_bureau"})
    client.force_login(own)
    form = client.get(reverse("records:units-edit", args=[school.pk])).content.decode()
    grade = form.split('name="key_target_grade"')[0].rsplit("<", 1)[1]
    assert "disabled" in form.split('name="key_target_grade"')[1].split(">")[0] + grade


def test_a_write_takes_the_unit_path_from_the_unit_it_was_given(tree):
    """A unit's path never changes, so a record given its unit (as forms and the API
    give it) is stamped without reading the path again; given only the number, it is
    read."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as given:
        person = services.create_record(None, Person, {"unit": tree["a"], "name": "甲"})
    with CaptureQueriesContext(connection) as numbered:
        other = services.create_record(None, Person, {"unit_id": tree["b"].pk, "name": "乙"})
    reads = [q["sql"] for q in given.captured_queries if 'FROM "core_unit"' in q["sql"]]
    assert reads == [] and person.unit_path == tree["a"].path
    assert any('FROM "core_unit"' in q["sql"] for q in numbered.captured_queries)
    assert other.unit_path == tree["b"].path
