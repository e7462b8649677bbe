"""ORG-2: the duty matrix of a unit with many departments, on the page and as .xlsx;
areas of work import from labels and refuse unknown ones."""
from __future__ import annotations

import io

import openpyxl
from django.core.management import call_command
from django.urls import reverse

from fangfan.core import services
from fangfan.core.models import Role, Unit
from fangfan.core.tests.helpers import refused
from fangfan.organisation.models import Body


def test_demo_sub_district_matrix_page_and_export(db, client, make_user):
    call_command("demo")
    unit = Unit.objects.get(code="weifang")
    client.force_login(make_user(Role.UNIT_ADMIN, unit))
    html = client.get(reverse("duty-matrix-unit", args=["weifang"])).content.decode()
    matrix = html.split('data-testid="duty-matrix"')[1]
    assert "派出所" in matrix and "社区卫生服务中心" in matrix and "Medical aid" in matrix
    assert matrix.count("✓") == sum(len(b.areas) for b in Body.objects.filter(unit=unit))
    book = openpyxl.load_workbook(io.BytesIO(client.get(
        reverse("duty-matrix-unit", args=["weifang"]), {"format": "xlsx"}).content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "Body" and len(rows) == 12
    police = next(r for r in rows if r[0] == "派出所")
    assert police[rows[0].index("Patrols")] == "✓" and "护校安园" in police[-1]
    other = Unit.objects.get(code="xinqiao")
    client.force_login(make_user(Role.UNIT_ADMIN, other))
    assert client.get(reverse("duty-matrix-unit", args=["weifang"])).status_code == 404


def test_areas_are_validated_and_imported_by_label(tree, make_user, client):
    refused("areas", services.create_record, None, Body, {
        "unit": tree["a"], "kind": "department", "name": "教务处", "areas": ["astrology"]})
    client.force_login(make_user(Role.UNIT_ADMIN, tree["a"]))
    csv = "单位,类型,名称,工作领域\nschool-a,部门,德育处,\"宣传培训、演练\"\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    resp = client.post(reverse("records:bodies-import"),
                       {"file": SimpleUploadedFile("bodies.csv", csv.encode("utf-8"))})
    import re
    assert resp.status_code == 302, re.findall(r"<td[^>]*>([^<]*)</td>", resp.content.decode())
    assert Body.objects.get(name="德育处").areas == ["training", "drills"]
