"""The work plan of the demo school, read back from the .docx; who may download it."""
from __future__ import annotations

import io

import docx
import pytest
from django.core.management import call_command
from django.urls import reverse

from fangfan.core.models import Role, Unit


def text_of(data: bytes) -> tuple[str, list[list[list[str]]]]:
    d = docx.Document(io.BytesIO(data))
    body = "\n".join(p.text for p in d.paragraphs)
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in d.tables]
    return body, tables


@pytest.fixture
def demo(db):
    call_command("demo")
    return Unit.objects.get(code="xinqiao")


def test_demo_school_plan_reads_like_its_plan(demo, tmp_path):
    out = tmp_path / "plan.docx"
    call_command("documents", "plan", "--unit", "xinqiao", "-o", str(out))
    body, tables = text_of(out.read_bytes())
    assert "常州市新北区新桥实验小学" in body and "反恐怖防范工作方案" in body
    assert "组长：张红梅（校长、反恐怖防范第一责任人）" in body
    assert "姚建法" in body and "孙雯嘉" in body
    assert "设在后勤保障中心，主任：郭建刚" in body
    assert "二级防范恐怖袭击重点目标" in body and "2级" not in body  # 一级/二级/三级
    for place in ("南校门", "食堂", "学生饮水处", "配电房", "监控中心", "信息中心"):
        assert place in body.split("四、重要部位")[1].split("五、")[0]
    support = next(t for t in tables if t[0][1] == "外援单位")
    assert support[1][1:] == ["新桥派出所", "派出所", "13800000900", "2.5"]
    headers = [t[0] for t in tables]
    assert sum(h[:2] == ["序号", "要求"] for h in headers) == 3  # 人防, 物防, 技防
    captions = [p for p in body.splitlines() if p.startswith("附录")]
    assert captions[:5] == ["附录一 反恐怖防范外援单位情况表", "附录二 人防配置表",
                            "附录三 物防配置表", "附录四 技防配置表",
                            "附录五 反恐怖防范领导小组成员名单及联系电话"]
    people = tables[headers.index(["序号", "要求", "依据", "要求值", "现有", "结论"])]
    assert any("专职保安员" in row[1] and row[3] == "3" for row in people[1:])
    contacts = tables[-1]
    assert contacts[1][1:3] == ["张红梅", "校长"] and len(contacts) == 19
    assert "15161109922" not in body + str(tables)  # the seed's real numbers never appear
    from docx.oxml.ns import qn

    fonts = docx.Document(str(out)).styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "宋体"  # Chinese glyphs from a Chinese font


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_plan_is_a4(demo, language):
    from docx.shared import Mm

    from fangfan.documents.plan import build

    sections = docx.Document(io.BytesIO(build(demo, language))).sections
    assert len(sections) == 1  # stored in twentieths of a point, so within a fraction of a mm
    assert abs(sections[0].page_width - Mm(210)) < Mm(0.5)
    assert abs(sections[0].page_height - Mm(297)) < Mm(0.5)
    usable = sections[0].page_width - sections[0].left_margin - sections[0].right_margin
    assert abs(usable - Mm(160)) < Mm(1)  # the width the tables are laid out for


def test_english_plan(demo):
    body, tables = text_of(__import__("fangfan.documents.plan", fromlist=["build"]).build(
        demo, "en"))
    assert "Counter-terrorism prevention work plan" in body
    assert "Leader: 张红梅 (校长, 反恐怖防范第一责任人)" in body
    assert "grade 2 key target" in body
    cells = {cell for table in tables for row in table for cell in row}
    assert any(c.startswith("Full-time guards: Full-time guards by staff") for c in cells)


def test_download_is_scoped(demo, client, make_user):
    url = reverse("work-plan", args=["xinqiao"])
    client.force_login(make_user(Role.UNIT_ADMIN, demo))
    resp = client.get(url, {"language": "zh-hans"})
    assert resp.status_code == 200 and resp["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml")
    tables = text_of(resp.content)[1]
    assert "新桥派出所" in str(tables)
    # The members' phones as the reader may see them: masked without the permission.
    contacts = tables[-1]
    assert all("****" in row[3] for row in contacts[1:] if row[3]), contacts[1]
    chunjiang = Unit.objects.get(code="chunjiang")
    client.force_login(make_user(Role.UNIT_ADMIN, chunjiang))
    assert client.get(url).status_code == 404  # a sibling school: no existence leak
    client.force_login(make_user(Role.GUARD, demo))
    assert client.get(url).status_code == 403  # sees the bodies, may not export phones
    page = client.get(reverse("documents-unit", args=["xinqiao"])).content.decode()
    assert 'data-testid="plan-zh"' not in page
