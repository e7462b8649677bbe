"""Files from outside: broken or oversized imports on every import page, exports that a
spreadsheet cannot run as formulas yet import again, evidence uploads checked by their
content and size, and evidence that follows its record to another unit. Each refusal is
a 400 with a message, and nothing is written."""
from __future__ import annotations

import csv
import io
import random
import re
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fangfan.core import evidence, permissions, registry, services, tabular
from fangfan.core.models import Attachment, AuditEntry, Role
from fangfan.core.tests.helpers import hold_grant
from fangfan.resources.models import Location

IMPORTABLE = [rt.slug for rt in registry.record_types() if rt.importable]


def _noise(size: int, seed: int = 13) -> bytes:
    return random.Random(seed).randbytes(size)


def _xlsx(build) -> bytes:
    book = openpyxl.Workbook()
    build(book)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _edited(part: str, edit) -> bytes:
    """A workbook of one title row with one of its parts changed by `edit`."""
    good = _xlsx(lambda book: book.active.append(["unit", "name"]))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, edit(data) if info.filename == part else data)
    return out.getvalue()


def _no_sheet() -> bytes:
    return _edited("xl/workbook.xml", lambda xml: re.sub(rb"<sheets>.*</sheets>",
                                                         b"<sheets/>", xml))


def _damaged_sheet() -> bytes:
    """A valid workbook whose sheet's XML breaks off in its first row."""
    return _edited("xl/worksheets/sheet1.xml",
                   lambda xml: xml[: xml.index(b"<row")] + b"<row r='1'><c r='A1' t='s")


def _bomb() -> bytes:
    """A small zip that claims to unpack to 11 MB (the limit is set to 1 MB: ×10)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        dst.writestr("[Content_Types].xml", "<Types/>")
        dst.writestr("xl/worksheets/sheet1.xml", b"\0" * (11 * 1024 * 1024))
    return out.getvalue()


UNREADABLE_XLSX = "is not a readable .xlsx workbook"
NOT_CSV = "is not a CSV text file"
# (file name, content, what the page says)
BROKEN = [
    ("broken.xlsx", b"PK\x03\x04" + _noise(2000), UNREADABLE_XLSX),
    ("noise.xlsx", _noise(4096), UNREADABLE_XLSX),
    ("empty.xlsx", b"", UNREADABLE_XLSX),
    ("no-sheet.xlsx", _no_sheet(), "The workbook has no sheet to import."),
    ("damaged.xlsx", _damaged_sheet(), UNREADABLE_XLSX),
    ("noise.csv", _noise(4096), NOT_CSV),
    ("empty.csv", b"", "The file is empty."),
    ("nul.csv", b"unit,name\nschool-a,a\x00b\n", NOT_CSV),
    ("long-cell.csv", b'"' + b"x" * 200_000 + b'"\n', NOT_CSV),
    ("notes.txt", b"unit,name\n", "Upload an .xlsx or .csv file."),
    ("big.csv", b"unit,name\n" + b"school-a,x\n" * 100_000, "larger than 1 MB"),
    ("bomb.xlsx", _bomb(), "larger than 1 MB"),
]


@pytest.fixture
def sysadmin(tree, make_user):
    user = make_user(Role.SYSTEM_ADMIN, tree["city"])
    for rt in registry.record_types():  # and the ledger's own grant
        hold_grant(rt, user, tree["city"])
    return user


def _written(rt) -> tuple[int, int]:
    return rt.model.objects.count(), AuditEntry.objects.count()


@pytest.mark.parametrize("slug", IMPORTABLE)
def test_every_import_page_refuses_broken_files_with_a_message(slug, sysadmin, client,
                                                                settings):
    """A type that no role imports (results are written by the engine) answers 403."""
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    rt = registry.get(slug)
    client.force_login(sysadmin)
    before = _written(rt)
    for name, content, says in BROKEN:
        resp = client.post(reverse(rt.url_name("import")),
                           {"file": SimpleUploadedFile(name, content)})
        html = resp.content.decode()
        if not permissions.allowed(sysadmin, "import", rt):
            assert resp.status_code == 403
            continue
        assert resp.status_code == 400, (name, resp.status_code)
        assert says in html and 'data-testid="import-errors"' in html, name
        assert _written(rt) == before, name


@pytest.mark.parametrize("slug", IMPORTABLE)
def test_every_import_page_refuses_more_rows_than_the_limit(slug, sysadmin, client,
                                                            settings):
    settings.IMPORT_MAX_ROWS = 3
    rt = registry.get(slug)
    if not permissions.allowed(sysadmin, "import", rt):
        return  # no import page (see above)
    client.force_login(sysadmin)
    page = client.get(reverse(rt.url_name("import"))).content.decode()
    assert "At most 3 rows and 5 MB per file" in page
    before = _written(rt)
    text = ",".join(rt.columns()) + "\n" + "".join(f"r{i}\n" for i in range(5))
    resp = client.post(reverse(rt.url_name("import")),
                       {"file": SimpleUploadedFile("rows.csv", text.encode())})
    assert resp.status_code == 400
    assert "more than 3 rows. Import at most 3 rows at a time" in resp.content.decode()
    assert _written(rt) == before


def _peak_bytes(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_large_csv_is_read_as_far_as_the_row_limit_only(tree, unit_admin, settings):
    """A 5 MB file of 200,000 rows, at the default limits: refused by the first pass, its
    peak is a fifth of the file's size (it used to hold every row, several times, and
    grew a worker to 2.2 GB; measured about 0.35 MB)."""
    rt = registry.get("locations")
    content = ("unit,name,kind\n" + "".join(f"school-a,门{i:07d},other\n"
                                            for i in range(200_000))).encode()
    assert 4_000_000 < len(content) < settings.IMPORT_MAX_BYTES
    upload = SimpleUploadedFile("big.csv", content)

    def run() -> None:
        with pytest.raises(tabular.ImportRefused) as refused:
            tabular.import_rows(unit_admin, rt, tabular.read_table(upload, upload.name))
        assert "more than 5000 rows" in refused.value.errors[0].message

    assert _peak_bytes(run) < len(content) // 5
    assert not Location.objects.exists()


def test_import_error_reads_the_same_for_another_units_record_as_for_none(
        tree, unit_admin, client):
    """Naming a unit or a record of a unit the importer cannot see gives the words that
    a name nobody has gives: the import does not tell that it exists."""
    services.create_record(None, Location, {"unit": tree["b"], "name": "乙校门",
                                            "kind": "other"})
    client.force_login(unit_admin)
    rows = ("unit,category,name,location,quantity\n"
            "school-a,Video recorder,r1,乙校门,1\n"
            "school-a,Video recorder,r2,无此门,1\n"
            "school-b,Video recorder,r3,,1\n"
            "school-zz,Video recorder,r4,,1\n")
    resp = client.post(reverse("records:assets-import"),
                       {"file": SimpleUploadedFile("a.csv", rows.encode())})
    assert resp.status_code == 400
    messages = dict(_errors(resp.content.decode()))
    assert messages["2"].replace("乙校门", "?") == messages["3"].replace("无此门", "?")
    assert messages["4"].replace("school-b", "?") == messages["5"].replace("school-zz", "?")


def _errors(html: str) -> list[tuple[str, str]]:
    body = html.split('data-testid="import-errors"')[1]
    return re.findall(r"<tr><td>(\d+)</td><td>[^<]*</td><td>([^<]*)</td></tr>", body)


FORMULAS = ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-3", "@SUM(A1)", "'=quoted"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_neutralises_formulas_and_imports_again_to_the_same_text(
        fmt, tree, unit_admin, client):
    for name in FORMULAS:
        services.create_record(None, Location, {"unit": tree["a"], "name": name,
                                                "kind": "other"})
    client.force_login(unit_admin)
    resp = client.get(reverse("records:locations-export"), {"format": fmt})
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(resp.content)).active
        cells = [row[1] for row in sheet.iter_rows(min_row=2)]
        assert all(c.data_type == "s" for c in cells)  # text, never a formula
        names = {c.value for c in cells}
        content = resp.content
    else:
        content = b"".join(resp.streaming_content)
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        names = {row[1] for row in rows[1:]}
    assert names == {"'" + n for n in FORMULAS}
    Location.objects.all().delete()
    back = client.post(reverse("records:locations-import"),
                       {"file": SimpleUploadedFile(f"again.{fmt}", content)})
    assert back.status_code == 302, back.content.decode()[:3000]
    assert set(Location.objects.values_list("name", flat=True)) == set(FORMULAS)


def _office(part: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(part, "<x/>")
    return out.getvalue()


ACCEPTED = [
    ("gate.jpg", b"\xff\xd8\xff\xe0" + _noise(64), "image/jpeg"),
    ("gate.png", b"\x89PNG\r\n\x1a\n" + _noise(64), "image/png"),
    ("gate.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 " + _noise(64), "image/webp"),
    ("gate.heic", b"\x00\x00\x00\x18ftypheic" + _noise(64), "image/heic"),
    ("plan.pdf", b"%PDF-1.7\n" + _noise(64), "application/pdf"),
    ("plan.docx", _office("word/document.xml"), "wordprocessingml.document"),
    ("list.xlsx", _office("xl/workbook.xml"), "spreadsheetml.sheet"),
    ("note.txt", "值班记录\n正常".encode("gb18030"), "text/plain"),
]
REFUSED = [
    ("photo.jpg", b"MZ\x90\x00" + _noise(200)),  # a program named as a photo
    ("photo.jpg", _noise(300)),
    ("archive.docx", _office("other/thing.xml")),  # a zip, but not a Word document
    ("note.txt", b"text with a \x00 NUL"),
    ("empty.txt", b""),
    ("big.pdf", b"%PDF-1.7\n" + b"0" * (2 * 1024 * 1024)),
]


@pytest.fixture
def gate(tree):
    return services.create_record(None, Location, {"unit": tree["a"], "name": "南校门",
                                                   "kind": "main_gate"})


@pytest.mark.parametrize(("name", "content", "mime"), ACCEPTED)
def test_evidence_of_an_allowed_kind_is_stored_with_its_real_type(
        name, content, mime, gate, unit_admin, client):
    client.force_login(unit_admin)
    upload = SimpleUploadedFile(name, content, content_type="application/x-msdownload")
    resp = client.post(reverse("records:locations-attach", args=[gate.pk]), {"file": upload})
    assert resp.status_code == 302
    assert mime in Attachment.objects.get().content_type


@pytest.mark.parametrize(("name", "content"), REFUSED)
def test_evidence_of_another_kind_or_too_large_is_refused_and_nothing_stored(
        name, content, gate, unit_admin, client, settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    client.force_login(unit_admin)
    audit_before = AuditEntry.objects.count()
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    resp = client.post(reverse("records:locations-attach", args=[gate.pk]), {"file": upload})
    html = resp.content.decode()
    assert resp.status_code == 400
    assert ("cannot be attached" in html or "larger than 1 MB" in html
            or "The file is empty." in html)
    assert not Attachment.objects.exists()
    assert AuditEntry.objects.count() == audit_before
    root = settings.EVIDENCE_ROOT
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))


def test_evidence_follows_its_record_to_another_unit(tree, make_user, client):
    """Moved from school A to school B, a record's file is read by B and no longer by A."""
    mover = make_user(Role.UNIT_ADMIN, tree["district"], "district-admin")
    staff_a = make_user(Role.UNIT_ADMIN, tree["a"], "admin-a")
    staff_b = make_user(Role.UNIT_ADMIN, tree["b"], "admin-b")
    loc = services.create_record(mover, Location, {"unit": tree["a"], "name": "南校门",
                                                   "kind": "main_gate"})
    att = evidence.attach(mover, loc, SimpleUploadedFile("gate.png", b"\x89PNG\r\n\x1a\n1"))
    url = reverse("attachment", args=[att.pk])
    client.force_login(staff_a)
    assert client.get(url).status_code == 200

    services.update_record(mover, loc, {"unit": tree["b"]})
    att.refresh_from_db()
    assert (att.unit_id, att.unit_path) == (tree["b"].pk, tree["b"].path)
    assert client.get(url).status_code == 404
    client.force_login(staff_b)
    assert client.get(url).status_code == 200
    assert list(evidence.attachments_of(loc)) == [att]


@pytest.mark.parametrize("slug", IMPORTABLE)
def test_every_import_page_answers_a_record_nobody_has_with_a_message(slug, sysadmin,
                                                                      client):
    """Every related-record column, given a name (or number) that matches nothing."""
    rt = registry.get(slug)
    if not permissions.allowed(sysadmin, "import", rt):
        return  # no import page
    names = rt.columns()
    related = [n for n in names if rt.model._meta.get_field(n).is_relation and n != "unit"]
    row = ["school-a" if n == "unit" else "无此记录-x" if n in related else "" for n in names]
    text = ",".join(names) + "\n" + ",".join(row) + "\n"
    client.force_login(sysadmin)
    before = _written(rt)
    resp = client.post(reverse(rt.url_name("import")),
                       {"file": SimpleUploadedFile("r.csv", text.encode())})
    assert resp.status_code == 400
    problems = dict(_errors(resp.content.decode()))
    assert related == [] or any("“无此记录-x”" in m for m in problems.values()), problems
    assert _written(rt) == before
