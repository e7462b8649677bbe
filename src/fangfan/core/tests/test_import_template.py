"""Imports people get right first time (issue 8, item 6): the template carries the
allowed values as drop-downs and an example; the unit is named by code or full name
within the user's units; an unknown choice is one clear error."""
from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.resources.models import Asset, AssetCategory, AssetStatus, Location


@pytest.fixture
def zh_client(client, tree, make_user):
    client.force_login(make_user(Role.UNIT_ADMIN, tree["a"], username="zh-admin",
                                 language="zh-hans"))
    return client


def _template(client, slug: str) -> openpyxl.Workbook:
    resp = client.get(reverse(f"records:{slug}-import"), {"template": 1})
    assert resp.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(resp.content))


def _lists(book: openpyxl.Workbook) -> dict[str, list[str]]:
    """Each column letter of the first sheet → the values its drop-down offers."""
    out = {}
    for dv in book.worksheets[0].data_validations.dataValidation:
        column = re.match(r"[A-Z]+", str(dv.sqref)).group()
        formula = dv.formula1
        if formula.startswith('"'):
            out[column] = formula.strip('"').split(",")
        else:
            sheet, cells = re.match(r"'?([^'!]+)'?!(.+)", formula.lstrip("=")).groups()
            out[column] = [c[0].value for c in book[sheet][cells.replace("$", "")]]
        assert dv.type == "list" and dv.sqref and dv.showErrorMessage
    return out


def test_template_offers_choices_and_yes_no_as_drop_downs_in_the_users_language(zh_client):
    book = _template(zh_client, "assets")
    titles = [c.value for c in book.worksheets[0][1]]
    with translation.override("zh-hans"):
        category = [str(label) for label in AssetCategory.labels]
        status = [str(label) for label in AssetStatus.labels]
        assert titles[1] == str(Asset._meta.get_field("category").verbose_name)
    lists = _lists(book)
    letter = {title: openpyxl.utils.get_column_letter(i) for i, title in enumerate(titles, 1)}
    assert lists[letter[titles[1]]] == category
    assert lists[letter[titles[5]]] == status
    assert lists[letter[titles[7]]] == ["是", "否"]  # works at night
    assert book.worksheets[2].sheet_state == "hidden"  # the lists behind the drop-downs


def test_template_help_sheet_has_an_example_row_and_changes_nothing(zh_client, tree):
    book = _template(zh_client, "faults")
    help_sheet = book.worksheets[1]
    with translation.override("zh-hans"):
        assert help_sheet.title == translation.gettext("Help")  # 说明
    head = [c.value for c in book.worksheets[0][1]]
    assert [c.value for c in help_sheet[1]] == head
    example = [c.value for c in help_sheet[2]]
    assert example[:2] == ["school-a", "校门摄像机"] and "夜间画面全黑" in example
    assert not Asset.objects.exists()  # the example's camera was rolled back
    assert book.worksheets[0].max_row == 1  # nothing to import by mistake


def _post(client, slug: str, text: str):
    upload = SimpleUploadedFile(f"{slug}.csv", text.encode("utf-8"))
    return client.post(reverse(f"records:{slug}-import"), {"file": upload})


def _errors(resp) -> list[tuple[str, str, str]]:
    body = resp.content.decode().split('data-testid="import-errors"')[1]
    return re.findall(r"<tr><td>(\d+|—)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", body)


def test_unit_by_code_or_full_name_within_the_users_units(zh_client, tree):
    resp = _post(zh_client, "locations", "unit,name,kind\n甲小学,南校门,main_gate\n"
                                         "school-a,食堂,食堂\n")
    assert resp.status_code == 302
    assert set(Location.objects.filter(unit=tree["a"]).values_list("name", flat=True)) \
        == {"南校门", "食堂"}
    other = _post(zh_client, "locations", "unit,name,kind\n乙小学,乙门,main_gate\n")
    assert other.status_code == 400  # a school outside the user's units is not found
    [(row, _column, message)] = _errors(other)
    assert row == "2" and "“乙小学”" in message
    assert not Location.objects.filter(name="乙门").exists()


def test_an_unknown_choice_is_one_error_for_its_cell(tree, client, unit_admin):
    client.force_login(unit_admin)
    resp = _post(client, "assets", "unit,category,name,night_capable,status\n"
                                   "school-a,故障中,门口摄像机,是,In service\n"
                                   "school-a,Camera,东门摄像机,yes,broken\n"
                                   "school-a,camera,西门摄像机,是,Faulty\n")
    assert resp.status_code == 400 and not Asset.objects.exists()
    errors = _errors(resp)
    assert [(r, c) for r, c, _m in errors] == [("2", "category"), ("3", "status")]
    assert errors[0][2].startswith("“故障中” is not one of: Wall or fence, ")
    assert errors[1][2] == "“broken” is not one of: In service, Faulty, Retired."


def test_labels_in_either_language_and_codes_are_accepted(zh_client, tree):
    resp = _post(zh_client, "assets", "unit,category,name,status,night_capable\n"
                                      "school-a,Camera,东门摄像机,Faulty,yes\n"
                                      "school-a,camera,西门摄像机,in_service,否\n")
    assert resp.status_code == 302
    assert sorted(Asset.objects.values_list("status", "night_capable")) == [
        ("faulty", True), ("in_service", False)]


def test_a_row_naming_a_record_of_another_unit_finds_nothing(tree, client, unit_admin):
    services.create_record(None, Location, {"unit": tree["b"], "name": "乙门",
                                            "kind": "main_gate"})
    client.force_login(unit_admin)
    resp = _post(client, "assets", "unit,category,name,location\n"
                                   "school-a,camera,门口摄像机,乙门\n")
    assert [(r, c) for r, c, _m in _errors(resp)] == [("2", "location")]


def test_every_record_type_has_a_template_with_its_example(tree, client, django_user_model):
    from fangfan.core import registry
    from fangfan.core.models import AuditEntry
    from fangfan.core.tests.helpers import hold_grant

    root = django_user_model.objects.create_superuser("root", password="x" * 12)
    client.force_login(root)
    for rt in registry.record_types():  # the ledger's template too, for who holds it
        hold_grant(rt, root, tree["city"])
    before = AuditEntry.objects.count()
    for rt in filter(lambda rt: rt.importable, registry.record_types()):
        book = _template(client, rt.slug)
        example = [c.value for c in book.worksheets[1][2]]
        assert any(example), rt.slug
    assert AuditEntry.objects.count() == before  # examples' related records rolled back


def test_an_exported_fault_imports_again_with_its_local_times(tree, client, unit_admin):
    from fangfan.resources.models import Fault

    cam = services.create_record(None, Asset, {"unit": tree["a"], "category": "camera",
                                               "name": "校门摄像机"})
    services.create_record(None, Fault, {"unit": tree["a"], "asset": cam,
                                         "description": "黑屏", "temporary_measure": "值守"})
    client.force_login(unit_admin)
    exported = client.get(reverse("records:faults-export"), {"format": "xlsx"})
    row = list(openpyxl.load_workbook(io.BytesIO(exported.content)).active.iter_rows(
        values_only=True))[1]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", row[2])  # no "+00:00"
    reported = Fault.objects.get().reported_at
    Fault.objects.all().delete()
    resp = client.post(reverse("records:faults-import"),
                       {"file": SimpleUploadedFile("f.xlsx", exported.content)})
    assert resp.status_code == 302
    assert Fault.objects.get().reported_at == reported.replace(microsecond=0)
