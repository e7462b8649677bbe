"""ORG-1, ORG-4, ORG-5 rules at the service level: every refusal names its field, is
translated and saves nothing."""
from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.core.tests.helpers import refused
from fangfan.organisation.models import Body, Liaison, Membership
from fangfan.resources.models import Person


def person(unit, name):
    return services.create_record(None, Person, {"unit": unit, "name": name})


@pytest.fixture
def group(tree):
    return services.create_record(None, Body, {
        "unit": tree["a"], "kind": "leadership_group", "name": "反恐怖防范领导小组",
        "duties": "贯彻落实法律法规\n组织编制预案"})



def test_members_with_roles_and_duty_list(tree, group):
    head = person(tree["a"], "张红梅")
    services.create_record(None, Membership, {"unit": tree["a"], "body": group, "person": head,
                                              "role": "leader", "note": "第一责任人"})
    assert group.duty_list == ["贯彻落实法律法规", "组织编制预案"]
    assert [str(m) for m in group.memberships.all()] == ["张红梅 · Leader"]


def test_duplicate_membership_is_refused(tree, group):
    head = person(tree["a"], "张红梅")
    data = {"unit": tree["a"], "body": group, "person": head, "role": "leader"}
    services.create_record(None, Membership, data)
    with translation.override("zh-hans"):
        message = refused("person", services.create_record, None, Membership,
                          {**data, "role": "member"})
    assert "已是" in message
    assert Membership.objects.count() == 1


def test_member_from_another_unit_is_refused(tree, group):
    outsider = person(tree["b"], "李四")
    message = refused("person", services.create_record, None, Membership,
                      {"unit": tree["a"], "body": group, "person": outsider})
    assert "own unit" in message and not Membership.objects.exists()
    other = services.create_record(None, Body, {"unit": tree["b"], "kind": "office",
                                                "name": "办公室"})
    refused("body", services.create_record, None, Membership,
            {"unit": tree["a"], "body": other, "person": person(tree["a"], "王五")})


def test_one_leadership_group_per_unit(tree, group):
    refused("kind", services.create_record, None, Body,
            {"unit": tree["a"], "kind": "leadership_group", "name": "另一个领导小组"})
    services.create_record(None, Body, {"unit": tree["a"], "kind": "department",
                                        "name": "教务处"})
    services.create_record(None, Body, {"unit": tree["a"], "kind": "department",
                                        "name": "德育处"})  # departments repeat


def test_liaison_must_be_of_the_unit(tree):
    refused("person", services.create_record, None, Liaison,
            {"unit": tree["a"], "person": person(tree["b"], "外人")})


def test_body_page_lists_members_and_prefills_add(tree, group, make_user, client):
    head = person(tree["a"], "张红梅")
    services.create_record(None, Membership, {"unit": tree["a"], "body": group,
                                              "person": head, "role": "leader"})
    client.force_login(make_user(Role.UNIT_ADMIN, tree["a"]))
    html = client.get(group.get_absolute_url()).content.decode()
    assert 'id="children-body-members"' in html and "张红梅" in html
    add = reverse("records:body-members-add")
    assert f"{add}?body={group.pk}" in html
    form = client.get(add, {"body": group.pk}).content.decode()
    assert f'<option value="{group.pk}" selected>' in form


def test_a_unit_without_a_leader_shows_the_gap_until_its_head_leads(tree, group):
    from fangfan.organisation.models import SupportUnit
    from fangfan.standards import engine
    from fangfan.standards.models import Result

    def head_rule():
        engine.evaluate_units([tree["a"].path])
        return Result.objects.get(unit=tree["a"], requirement__urn__endswith=":org-head")

    assert head_rule().status == "unknown"  # no people recorded yet
    head = person(tree["a"], "张红梅")
    assert head_rule().status == "unmet"
    services.create_record(None, Membership, {"unit": tree["a"], "body": group,
                                              "person": head, "role": "leader"})
    assert head_rule().status == "met"
    services.create_record(None, SupportUnit, {"unit": tree["a"], "name": "新桥派出所",
                                               "kind": "police", "phone": "13800009999",
                                               "distance_km": "2.5"})
    from fangfan.standards import facts

    values = facts.compute_unit(tree["a"].path)[tree["a"].path]
    assert values["police_support_km_min"] == 2.5 and values["support_units_count"] == 1


def test_members_import_from_the_template_naming_bodies_and_people(tree, group, make_user,
                                                                   client):
    import io

    import openpyxl
    from django.core.files.uploadedfile import SimpleUploadedFile

    person(tree["a"], "张红梅")
    person(tree["a"], "姚建法")
    person(tree["b"], "乙校长")
    client.force_login(make_user(Role.UNIT_ADMIN, tree["a"]))
    url = reverse("records:body-members-import")
    book = openpyxl.load_workbook(io.BytesIO(client.get(url, {"template": 1}).content))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["unit", "body", "person", "role"]

    def upload(rows):
        for r in list(sheet.iter_rows(min_row=2)):
            for c in r:
                c.value = None
        for i, row in enumerate(rows, start=2):
            for j, value in enumerate(row, start=1):
                sheet.cell(i, j, value)
        out = io.BytesIO()
        book.save(out)
        return client.post(url, {"file": SimpleUploadedFile("m.xlsx", out.getvalue())})

    bad = upload([["school-a", "反恐怖防范领导小组", "张红梅", "Leader"],
                  ["school-a", "反恐怖防范领导小组", "乙校长", "Member"]])
    assert bad.status_code == 400 and "乙校长" in bad.content.decode()
    assert not Membership.objects.exists()
    ok = upload([["school-a", "反恐怖防范领导小组", "张红梅", "Leader"],
                 ["school-a", "反恐怖防范领导小组", "姚建法", "Deputy leader"]])
    assert ok.status_code == 302
    assert dict(Membership.objects.values_list("person__name", "role")) == {
        "张红梅": "leader", "姚建法": "deputy_leader"}
