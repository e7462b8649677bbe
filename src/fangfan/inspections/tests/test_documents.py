"""A hazard's rectification notice and verification slip (.docx) and the hazard ledgers
(.xlsx), read back as a user would read them; who may download them (issue 9 items 2, 6)."""
from __future__ import annotations

import datetime as dt
import io
import struct
import zlib

import docx
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from docx.oxml.ns import qn

from fangfan.core import evidence, services
from fangfan.core.models import Role
from fangfan.inspections import documents
from fangfan.inspections.models import (
    Hazard,
    HazardSource,
    HazardStatus,
    HazardStep,
    Severity,
    StepKind,
)
from fangfan.resources.models import Location, Person
from fangfan.standards.models import Requirement

TODAY = timezone.localdate()
DEADLINE = TODAY + dt.timedelta(days=7)


def zh(text) -> str:
    """A message or label as the Chinese documents print it (the catalogue may not hold
    the newest messages yet: then the English text, and the test still reads it)."""
    with translation.override("zh-hans"):
        return str(gettext(text) if isinstance(text, str) else text)


def zh_field(name: str, model=Hazard) -> str:
    return zh(capfirst(model._meta.get_field(name).verbose_name))


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


@pytest.fixture
def people(tree, make_user):
    return {"admin": make_user(Role.UNIT_ADMIN, tree["a"]),
            "staff": make_user(Role.STAFF, tree["a"]),
            "supervisor": make_user(Role.SUPERVISOR, tree["district"]),
            "other": make_user(Role.UNIT_ADMIN, tree["b"]),
            "person": services.create_record(None, Person, {
                "unit": tree["a"], "name": "郭建刚", "post": "后勤主任"}),
            "gate": services.create_record(None, Location, {
                "unit": tree["a"], "name": "南校门", "kind": "other"})}


def _step(actor, hazard, kind, **extra) -> HazardStep:
    return services.create_record(actor, HazardStep, {
        "unit": hazard.unit, "hazard": hazard, "kind": kind, **extra})


def _hazard(actor, unit, title="南门防冲撞石球缺失两个", **extra) -> Hazard:
    return services.create_record(actor, Hazard, {
        "unit": unit, "title": title, "found_on": TODAY, "found_by": "黄建刚", **extra})


@pytest.fixture
def dispatched(tree, people) -> Hazard:
    """Dispatched by the district, assigned, rectified with a photo, not yet verified."""
    h = _hazard(people["supervisor"], tree["a"], location=people["gate"], severity="major")
    _step(people["admin"], h, "assign", responsible=people["person"], deadline=DEADLINE,
          measures="购置并安装两个石球")
    step = _step(people["staff"], h, "rectify", note="已补装两个石球并固定")
    evidence.attach(people["staff"], step, SimpleUploadedFile("南门石球-整改后.png", _png()),
                    action="add")
    h.refresh_from_db()
    return h


def read(data: bytes) -> tuple[str, dict[str, str], docx.Document]:
    d = docx.Document(io.BytesIO(data))
    body = "\n".join(p.text for p in d.paragraphs)
    fields = {row.cells[0].text: row.cells[1].text for t in d.tables for row in t.rows}
    return body, fields, d


def test_notice_names_issuer_unit_hazard_deadline_and_person(client, people, dispatched):
    client.force_login(people["admin"])
    resp = client.get(reverse("hazard-notice", args=[dispatched.pk]), {"language": "zh-hans"})
    assert resp.status_code == 200 and resp["Content-Type"].endswith("document")
    body, fields, d = read(resp.content)
    assert zh("Hazard rectification notice") in body
    assert zh("To %(unit)s:") % {"unit": "甲小学"} in body
    assert f"{TODAY.year}" in body and f"{dispatched.pk:04d}" in body
    assert fields[zh("Issued by")] == "测试区教育局"  # dispatched: the authority issues it
    assert fields[zh("Problem found")] == "南门防冲撞石球缺失两个"
    assert fields[zh_field("location")] == "南校门"
    assert fields[zh_field("severity")] == zh(Severity.MAJOR.label)
    assert fields[zh_field("source")] == zh(HazardSource.DISPATCH.label)
    assert fields[zh_field("found_by")] == "黄建刚"
    assert fields[zh_field("responsible")] == "郭建刚（后勤主任）"
    assert fields[zh_field("deadline")] == f"{DEADLINE.year}年{DEADLINE.month}月{DEADLINE.day}日"
    assert fields[zh_field("measures")] == "购置并安装两个石球"
    assert zh("Received by") in body
    assert not {"major", "dispatch", "hazard", "assigned"} & set(fields.values())  # no codes
    fonts = d.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "宋体"  # Chinese glyphs from a Chinese font
    assert d.tables[0].rows[0].cells[0].paragraphs[0].runs[0].element.rPr.rFonts.get(
        qn("w:eastAsia")) == "黑体"


def test_notice_in_english_issued_by_the_unit_itself(people, tree):
    h = _hazard(people["admin"], tree["a"], responsible=people["person"], deadline=DEADLINE,
                measures="Fix the lights")
    body, fields, _d = read(documents.notice(h, "en"))
    assert "Hazard rectification notice" in body and "To 甲小学:" in body
    assert fields["Issued by"] == "甲小学"
    assert fields["Responsible person"] == "郭建刚 (后勤主任)"
    assert fields["Rectify by"] == f"{DEADLINE.day} {DEADLINE:%B %Y}"
    assert fields["Severity"] == "General" and fields["Source"] == "Reported by hand"
    assert "Received by (signature)" in body


def test_verification_slip_before_and_after_closing(client, people, dispatched):
    client.force_login(people["admin"])
    url = reverse("hazard-verification", args=[dispatched.pk])
    body, fields, _d = read(client.get(url, {"language": "en"}).content)
    assert "Hazard rectification verification slip" in body
    assert fields["What was done"] == "已补装两个石球并固定"
    assert fields["Rectified by"] == "staff-school-a"
    assert f"{TODAY.day} {TODAY:%B %Y}" in fields["Photos after rectification"]
    assert "南门石球-整改后.png" in fields["Photos after rectification"]
    assert "Not verified in Fangfan yet (the hazard is awaiting verification)" in body
    assert fields["Verification result"].strip() == "" and fields["Verified by"].strip() == ""
    _step(people["supervisor"], dispatched, "verify", note="现场核实，已整改到位")
    body, fields, _d = read(client.get(url, {"language": "zh-hans"}).content)
    assert zh("Hazard rectification verification slip") in body
    assert fields[zh("Verification result")] == zh(
        "Rectified and verified; the hazard is closed.")
    assert fields[zh("Verification note")] == "现场核实，已整改到位"
    assert fields[zh_field("verified_by")] == "supervisor-district"
    assert fields[zh("Verified on")] == f"{TODAY.year}年{TODAY.month}月{TODAY.day}日"
    assert zh("Verifier") in body


def test_verification_slip_refused_before_rectification(client, people, tree):
    h = _hazard(people["admin"], tree["a"])
    client.force_login(people["admin"])
    page = client.get(h.get_absolute_url())
    assert reverse("hazard-notice", args=[h.pk]) in page.content.decode()
    assert reverse("hazard-verification", args=[h.pk]) not in page.content.decode()
    resp = client.get(reverse("hazard-verification", args=[h.pk]), follow=True)
    assert "available once the rectification has been reported" in resp.content.decode()


def test_detail_page_offers_both_documents(client, people, dispatched):
    client.force_login(people["staff"])
    html = client.get(dispatched.get_absolute_url()).content.decode()
    assert 'data-testid="hazard-notice"' in html and 'data-testid="hazard-verification"' in html


def test_another_school_gets_404(client, people, dispatched):
    client.force_login(people["other"])
    for name in ("hazard-notice", "hazard-verification"):
        assert client.get(reverse(name, args=[dispatched.pk])).status_code == 404
    assert client.get(reverse("hazard-register-xlsx", args=["school-a"])).status_code == 404


def _sheets(data: bytes) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def _spread(people, tree, n: int) -> None:
    for i in range(n):
        unit = tree["a"] if i % 2 == 0 else tree["b"]
        actor = people["admin"] if unit == tree["a"] else people["other"]
        h = _hazard(actor, unit, title=f"隐患{i}")
        if unit == tree["a"]:
            _step(actor, h, "assign", responsible=people["person"], deadline=DEADLINE,
                  measures="整改")
            step = _step(people["staff"], h, "rectify", note="已整改")
            evidence.attach(people["staff"], step, SimpleUploadedFile(f"p{i}.png", _png()),
                            action="add")


def test_ledgers_of_a_subtree_show_only_its_units(client, people, tree):
    _spread(people, tree, 4)
    _hazard(people["admin"], tree["a"], title="=1+1")
    client.force_login(people["supervisor"])
    register = _sheets(client.get(reverse("hazard-register-xlsx", args=["district"]),
                                  {"language": "en"}).content)["Hazard register"]
    assert register[0][:4] == ("No.", "Unit", "Kind", "Problem found")
    assert {row[1] for row in register[1:]} == {"甲小学", "乙小学"} and len(register) == 6
    assert "'=1+1" in [row[3] for row in register]  # a formula is kept as text
    client.force_login(people["admin"])  # the school sees its own, even asking the district
    assert client.get(reverse("hazard-register-xlsx", args=["district"])).status_code == 404
    mine = _sheets(client.get(reverse("hazard-register-xlsx", args=["school-a"]),
                              {"language": "zh-hans"}).content)
    rows = mine[zh("Hazard register")]
    assert {row[1] for row in rows[1:]} == {"甲小学"} and len(rows) == 4
    assert {row[13] for row in rows[1:]} == {zh(HazardStatus.RECTIFIED.label),
                                             zh(HazardStatus.FOUND.label)}  # labels


def test_four_lists_and_one_table(client, people, tree):
    _spread(people, tree, 3)
    client.force_login(people["supervisor"])
    url = reverse("hazard-four-lists-xlsx", args=["district"])
    sheets = _sheets(client.get(url, {"language": "zh-hans"}).content)
    assert list(sheets) == [zh("Standards list"), zh("Responsibility list"),
                            zh("Methods list"), zh("Procedures list"),
                            zh("Hazard detail table")]
    duty = {row[2]: row for row in sheets[zh("Responsibility list")][1:]}
    assert duty["郭建刚"][4:6] == (2, 2) and "隐患0" in duty["郭建刚"][9]
    assert zh("Not assigned yet") in duty  # 乙小学's hazard has nobody yet
    assert len(sheets[zh("Methods list")]) == 4  # every item is open
    steps = [row for row in sheets[zh("Procedures list")][1:] if row[2] == "隐患0"]
    assert [row[4] for row in steps] == [zh(HazardStatus.FOUND.label), zh(StepKind.ASSIGN.label),
                                         zh(StepKind.RECTIFY.label)]
    assert steps[-1][10] == "p0.png"
    assert len(sheets[zh("Hazard detail table")]) == 4

    call_command("standards", "evaluate", "--unit", "city")  # compliance results
    taken = Hazard.objects.filter(unit=tree["a"], source="gap").values("requirement")
    req = Requirement.objects.exclude(pk__in=taken).exclude(remedy={}).first()
    gap = _hazard(None, tree["a"], title="缺口隐患")
    Hazard.objects.filter(pk=gap.pk).update(source="gap", requirement=req)
    sheets = _sheets(client.get(url, {"language": "en"}).content)
    standards = sheets["Standards list"]
    assert {row[1] for row in standards[1:]} == {"测试区教育局", "甲小学", "乙小学"}  # no city
    staff = Requirement.objects.get(ref="R-STAFF")
    row = next(r for r in standards[1:] if r[1] == "甲小学" and r[3] == staff.short_title)
    assert (row[6], row[8]) == (2, "Unmet")  # labels, never codes
    methods = {r[3]: r for r in sheets["Methods list"][1:]}
    assert methods["缺口隐患"][5] == req.remedy["en"]  # no measures: how the standard says
    client.force_login(people["admin"])
    mine = _sheets(client.get(reverse("hazard-four-lists-xlsx", args=["school-a"])).content)
    assert {row[1] for rows in mine.values() for row in rows[1:]} == {"甲小学"}


@pytest.mark.parametrize("view", ["hazard-register-xlsx", "hazard-four-lists-xlsx"])
def test_ledgers_read_in_constant_queries(client, people, tree, view,
                                          django_assert_max_num_queries):
    client.force_login(people["supervisor"])
    url = reverse(view, args=["district"])
    _spread(people, tree, 3)
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    _spread(people, tree, 27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_ledger_page_is_in_the_menu_with_counts(client, people, dispatched):
    client.force_login(people["supervisor"])
    html = client.get(reverse("hazard-ledgers-unit", args=["district"])).content.decode()
    assert reverse("hazard-ledgers") in html  # the area menu
    assert reverse("hazard-four-lists-xlsx", args=["district"]) in html
    assert "Hazard ledgers" in html and "测试区教育局" in html
