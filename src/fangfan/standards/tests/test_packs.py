"""Pack loading: every problem listed with file, requirement and field; a refused set
changes nothing."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fangfan.standards import loader
from fangfan.standards.models import Pack, Requirement

GOOD = """
urn: urn:test:pack:a
version: 1
name: {zh-hans: 测试, en: Test}
document: {zh-hans: 文件, en: Document}
requirements:
  - id: one
    category: people
    clause: "1"
    title: {zh-hans: 一, en: One}
    text: {zh-hans: 一, en: One}
    remedy: {zh-hans: 改, en: Fix}
    required: "1"
    actual: guards_total
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_packs_are_valid_and_installed(db):
    assert loader.read(loader.shipped_paths())
    urns = set(Pack.objects.values_list("urn", flat=True))
    assert {"urn:fangfan:pack:seed", "urn:fangfan:pack:cn-law",
            "urn:fangfan:pack:gbt-29315-2022", "urn:fangfan:pack:moe-drill-guide-2014"} <= urns
    refs = set(Requirement.objects.exclude(ref="").values_list("ref", flat=True))
    assert refs == {"R-STAFF", "R-KIT", "R-RETAIN", "R-FAULT", "R-TECH", "R-LIGHT", "R-BAG",
                    "R-DRILL", "R-SELF", "R-SUPV", "R-MEET", "R-LIAISON", "R-DEADLINE",
                    "R-ALERT"}
    for req in Requirement.objects.all():
        assert req.citation["clause"] and req.text["zh-hans"] and req.text["en"]
        assert req.title["zh-hans"] and req.title["en"] and len(req.title["zh-hans"]) <= 12


def test_a_requirement_without_a_short_title_is_refused(tmp_path):
    """Users see requirements by their short title, so a pack must give one."""
    bad = write(tmp_path, "bad.yaml", GOOD.replace("    title: {zh-hans: 一, en: One}\n", ""))
    with pytest.raises(loader.PacksRefused) as exc:
        loader.read([bad])
    assert "bad.yaml:one: 'title' is a required property" in str(exc.value)
    twin = write(tmp_path, "twin.yaml", GOOD.replace("urn:test:pack:a", "urn:test:pack:b"))
    with pytest.raises(loader.PacksRefused) as exc:
        loader.read([write(tmp_path, "a.yaml", GOOD), twin])
    assert "twin.yaml:one:title.en: the same short title as a.yaml:one" in str(exc.value)


def test_short_title_follows_the_language(db):
    from django.utils import translation

    req = Requirement.objects.get(ref="R-STAFF")
    with translation.override("zh-hans"):
        assert req.short_title == "专职保安员配备" == str(req)
    with translation.override("en"):
        assert req.short_title == "Full-time guards"


def test_good_pack_loads_and_reloads_by_urn(db, tmp_path):
    path = write(tmp_path, "a.yaml", GOOD)
    call_command("standards", "load", str(path))
    assert Requirement.objects.get(urn="urn:test:pack:a:one").spec["actual"] == "guards_total"
    write(tmp_path, "a.yaml", GOOD.replace("version: 1", "version: 2")
          .replace('required: "1"', 'required: "2"'))
    call_command("standards", "load", str(path))
    assert Pack.objects.get(urn="urn:test:pack:a").version == 2
    assert Requirement.objects.filter(urn="urn:test:pack:a:one").count() == 1


def test_every_problem_is_listed_and_nothing_changes(db, tmp_path):
    before = list(Requirement.objects.values_list("urn", "spec"))
    bad_yaml = write(tmp_path, "syntax.yaml", "urn: [unclosed\n")
    bad = write(tmp_path, "bad.yaml", GOOD.replace("urn:test:pack:a", "urn:test:pack:b")
                .replace("actual: guards_total", "actual: guards_on_the_moon")
                + """
  - id: two
    category: spaceships
    clause: "2"
    title: {zh-hans: 二, en: Two}
    text: {zh-hans: 二, en: Two}
    remedy: {zh-hans: 改, en: Fix}
    check: "staff_count >"
  - id: one
    category: people
    clause: "3"
    title: {zh-hans: 三, en: Three}
    text: {zh-hans: 三, en: Three}
    remedy: {zh-hans: 改, en: Fix}
    check: "true"
""")
    dup = write(tmp_path, "dup.yaml", GOOD)
    dup2 = write(tmp_path, "dup2.yaml", GOOD)
    with pytest.raises(CommandError) as exc:
        call_command("standards", "load", str(bad_yaml), str(bad), str(dup), str(dup2))
    msg = str(exc.value)
    assert "syntax.yaml" in msg and "YAML syntax error" in msg
    assert "bad.yaml:two:category" in msg
    assert "dup2.yaml:one:id: duplicate URN urn:test:pack:a:one" in msg
    assert "bad.yaml:one:id: duplicate URN urn:test:pack:b:one" in msg
    assert list(Requirement.objects.values_list("urn", "spec")) == before


def test_unknown_fact_and_bad_expression_are_named(tmp_path):
    bad = write(tmp_path, "bad.yaml", GOOD.replace("actual: guards_total",
                                                   "actual: guards_on_the_moon\n"
                                                   "    applies: \"stage ==\""))
    with pytest.raises(loader.PacksRefused) as exc:
        loader.read([bad])
    fields = {(p.requirement, p.field) for p in exc.value.problems}
    assert fields == {("one", "actual"), ("one", "applies")}
    assert "unknown fact or attribute: guards_on_the_moon" in str(exc.value)


def test_fact_table_in_docs_matches_code():
    from pathlib import Path

    from fangfan.standards.facts import markdown_table

    doc = Path(__file__).resolve().parents[4] / "docs" / "standards.md"
    assert markdown_table() in doc.read_text(encoding="utf-8"), (
        "docs/standards.md is stale: paste fangfan.standards.facts.markdown_table() into it")
