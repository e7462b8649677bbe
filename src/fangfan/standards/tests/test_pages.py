"""Compliance pages and exports: gaps with clause and fix, authority rates, scoping."""
from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.resources.models import Person
from fangfan.standards import engine


@pytest.fixture
def evaluated(tree):
    services.create_record(None, Person, {"unit": tree["a"], "name": "保安", "is_guard": True})
    for i in range(2):
        services.create_record(None, Person, {"unit": tree["b"], "name": f"保安{i}",
                                              "is_guard": True})
    engine.evaluate_subtree([tree["city"].path])
    return tree


def test_unit_page_lists_gaps_with_clause_and_fix(evaluated, make_user, client):
    client.force_login(make_user(Role.PRINCIPAL, evaluated["a"]))
    html = client.get(reverse("compliance-unit", args=["school-a"])).content.decode()
    gap = html.split('data-ref="R-STAFF"')[1].split("</tr>")[0]
    assert "附件1 专职保安员配备标准" in gap and "Hire the missing full-time guards" in gap
    assert "<td>2</td><td>1</td>" in gap.replace("\n", "").replace(" ", "")
    # R-STAFF, GB/T 29315's guards, no leader, no background checks (Minors Law Art. 62)
    assert 'data-count="unmet">4<' in html
    assert "No drills are recorded for this unit yet." in html


def test_sibling_and_unknown_units_answer_404(evaluated, make_user, client):
    client.force_login(make_user(Role.UNIT_ADMIN, evaluated["a"]))
    assert client.get(reverse("compliance-unit", args=["school-b"])).status_code == 404
    assert client.get(reverse("compliance-unit", args=["nope"])).status_code == 404
    assert client.get(reverse("compliance-overview", args=["district"])).status_code == 404
    assert client.post(reverse("compliance-refresh", args=["school-b"])).status_code == 404
    client.force_login(make_user(Role.GUARD, evaluated["a"]))
    assert client.get(reverse("compliance-unit", args=["school-a"])).status_code == 404


def test_authority_overview_rates_and_ranking(evaluated, make_user, client):
    client.force_login(make_user(Role.SUPERVISOR, evaluated["district"]))
    resp = client.get(reverse("compliance-unit", args=["district"]))
    assert resp.status_code == 302 and resp["Location"].endswith("/district/overview/")
    html = client.get(resp["Location"]).content.decode()
    own = client.get(reverse("compliance-unit", args=["district"]), {"own": 1})
    assert own.status_code == 200 and "R-MEET" in own.content.decode()
    ranking = html.split('data-testid="ranking"')[1]
    assert ranking.index("乙小学") < ranking.index("甲小学")  # B meets R-STAFF, A does not
    rates = html.split('data-testid="requirement-rates"')[1].split("</table>")[0]
    staff = rates.split("R-STAFF")[1].split("</tr>")[0]
    assert "50.0%" in staff


def test_compliance_report_export_is_scoped(evaluated, make_user, client):
    client.force_login(make_user(Role.SUPERVISOR, evaluated["district"]))
    url = reverse("records:compliance-results-export")
    book = openpyxl.load_workbook(io.BytesIO(client.get(url, {"within": "school-a",
                                                              "format": "xlsx"}).content))
    rows = list(book.active.iter_rows(values_only=True))
    assert {r[0] for r in rows[1:]} == {"school-a"}
    assert "Full-time guards" in {r[1] for r in rows[1:]}  # by short title, not URN
    assert not any("urn:" in str(cell) for r in rows for cell in r)
    client.force_login(make_user(Role.UNIT_ADMIN, evaluated["b"]))
    text = b"".join(client.get(url, {"format": "csv"}).streaming_content).decode("utf-8-sig")
    assert "school-b" in text and "school-a" not in text


def test_home_links_to_compliance_with_gap_count(evaluated, make_user, client):
    client.force_login(make_user(Role.UNIT_ADMIN, evaluated["a"]))
    html = client.get(reverse("home-counts")).content.decode()
    assert reverse("compliance-unit", args=["school-a"]) in html
    assert 'data-testid="gap-count">4<' in html
    own = client.get(reverse("compliance-unit", args=["district"]))
    assert own.status_code == 404


def test_four_targets_deadlines_and_trend(evaluated, make_user, client):
    from fangfan.standards import four, snapshots, tallies
    from fangfan.standards.models import ComplianceSnapshot, Requirement, Result

    results = Result.objects.filter(unit_path__startswith=evaluated["district"].path)
    counted = tallies.read(evaluated["district"])
    ref = dict(Requirement.objects.values_list("pk", "ref"))
    rates = {str(r["label"]): r for r in four.four_rates(
        counted, {pk for pk, r in ref.items() if r == "R-STAFF"})}
    staff = rates["Full-time guards to standard"]
    assert (staff["yes"], staff["known"], staff["total"]) == (1, 2, 2)  # B met, A unmet
    posts = rates["School-guard posts (护学岗)"]
    assert (posts["yes"], posts["known"], posts["total"]) == (0, 0, 2)  # not recorded yet
    rows = {str(d["label"]): d for d in four.deadlines(
        counted, {pk for pk, r in ref.items() if r == "R-DEADLINE"})}
    assert rows["Primary and secondary schools"]["unknown"] == 2
    assert rows["Primary and secondary schools"]["passed"]

    taken = snapshots.take()
    assert taken == ComplianceSnapshot.objects.count() > 0
    district = ComplianceSnapshot.objects.get(unit=evaluated["district"], category="")
    applicable = results.exclude(status="not_applicable")
    assert district.met == applicable.filter(status="met").count()
    assert district.met + district.unmet + district.unknown == applicable.count()
    city = ComplianceSnapshot.objects.get(unit=evaluated["city"], category="")
    assert city.met >= district.met
    people = ComplianceSnapshot.objects.get(unit=evaluated["district"], category="people")
    assert people.met + people.unmet + people.unknown < applicable.count()

    client.force_login(make_user(Role.SUPERVISOR, evaluated["district"]))
    html = client.get(reverse("compliance-overview", args=["district"])).content.decode()
    assert 'id="trend-data"' in html and district.day.isoformat() in html
    assert 'data-testid="four"' in html and "2020-03-31" in html


def test_unknown_says_which_records_are_missing_with_a_link(tree, make_user, client):
    """No fact names: a sentence naming the missing records, a link to add them for those
    who may, the list for those who may only read."""
    engine.evaluate_subtree([tree["a"].path])
    client.force_login(make_user(Role.UNIT_ADMIN, tree["a"]))
    html = client.get(reverse("compliance-unit", args=["school-a"])).content.decode()
    staff = html.split('data-ref="R-STAFF"')[1].split('class="list-group-item"')[0]
    assert "No people are recorded for this unit yet." in staff
    assert f'href="{reverse("records:people-add")}?unit={tree["a"].pk}"' in staff
    assert "guards_full_time" not in html and "R-STAFF</strong>" not in html
    assert '<span class="rule-tag text-secondary small">R-STAFF</span>' in staff
    drill = html.split('data-ref="R-DRILL"')[1].split('class="list-group-item"')[0]
    assert "No drills are recorded for this unit yet." in drill
    assert f'href="{reverse("records:drills-add")}?unit={tree["a"].pk}"' in drill
    meeting = html.split('data-ref="R-MEET"')[1].split('class="list-group-item"')[0]
    assert f'href="{reverse("records:meetings-add")}?unit={tree["a"].pk}"' in meeting
    deadline = html.split('data-ref="R-DEADLINE"')[1].split('class="list-group-item"')[0]
    assert "No video recorder in service is recorded" in deadline  # not "not kept yet"
    assert f'href="{reverse("records:assets-add")}?unit={tree["a"].pk}"' in deadline
    client.force_login(make_user(Role.AUDITOR, tree["a"]))
    html = client.get(reverse("compliance-unit", args=["school-a"])).content.decode()
    staff = html.split('data-ref="R-STAFF"')[1].split('class="list-group-item"')[0]
    assert f'href="{reverse("records:people-list")}?within=school-a"' in staff


def test_result_page_explains_in_words(evaluated, make_user, client):
    from fangfan.standards.models import Result

    client.force_login(make_user(Role.PRINCIPAL, evaluated["a"]))
    result = Result.objects.get(unit=evaluated["a"], requirement__ref="R-STAFF")
    html = client.get(reverse("records:compliance-results-detail", args=[result.pk]))
    html = html.content.decode()
    assert "Full-time guards" in html and "Unmet" in html
    assert "Full-time guards (专职保安员)." in html  # the fact, described
    assert "guards_full_time" not in html


def test_obligations_export_names_requirements_by_short_title(tree, client,
                                                               django_user_model):
    """The export names requirements by short title in the reader's language, and the
    import's lookup finds a requirement by its title in either language."""
    from fangfan.standards import calendar
    from fangfan.standards.models import Requirement

    client.force_login(django_user_model.objects.create_superuser(
        "root", password="x" * 12, language="en"))
    engine.evaluate_subtree([tree["a"].path])
    calendar.tick()
    text = b"".join(client.get(reverse("records:obligations-export"), {
        "format": "csv", "within": "school-a"}).streaming_content).decode("utf-8-sig")
    assert "Monthly self-inspection" in text and "urn:" not in text
    for title in ("Monthly self-inspection", "每月安全隐患自查"):
        assert Requirement.objects.get(short_title=title).ref == "R-SELF"
    assert not Requirement.objects.exclude(short_title="每月安全隐患自查").filter(
        ref="R-SELF").exists()


def test_obligation_page_names_its_requirement(tree, make_user, client):
    from fangfan.standards import calendar
    from fangfan.standards.models import Obligation

    engine.evaluate_subtree([tree["a"].path])
    calendar.tick()
    ob = Obligation.objects.filter(unit=tree["a"], requirement__ref="R-SELF").first()
    client.force_login(make_user(Role.UNIT_ADMIN, tree["a"]))
    html = client.get(reverse("records:obligations-detail", args=[ob.pk])).content.decode()
    block = html.split('data-testid="obligation-requirement"')[1]
    assert "<strong>Monthly self-inspection</strong>" in block
    assert "A hazard self-inspection every month." in block
    assert "<title>Monthly self-inspection · " in html


def test_obligations_are_exported_never_imported(evaluated, admin_client):
    """Obligations are derived: their import page does not exist (it once crashed on a
    column the form does not have) and the list offers no import button."""
    assert admin_client.get(reverse("records:obligations-import")).status_code == 404
    upload = io.BytesIO(b"unit,requirement\nschool-a,x\n")
    upload.name = "o.csv"
    resp = admin_client.post(reverse("records:obligations-import"), {"file": upload})
    assert resp.status_code == 404
    html = admin_client.get(reverse("records:obligations-list")).content.decode()
    assert reverse("records:obligations-import") not in html
