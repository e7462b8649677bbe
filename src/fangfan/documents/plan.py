"""The unit's counter-terrorism prevention work plan (工作方案, SPEC X-1), generated from
its records in the structure of seed 000, in our own wording: goals, mechanism, key-target
grade, key locations, normal-state measures from the unit's actual people and assets,
the non-normal levels, emergency plan, rewards, accountability, and the appendix tables
(support units; people, physical and technical configuration, required by the active
packs against what is present; leadership contacts)."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fangfan.core import privacy, registry
from fangfan.core.models import Unit
from fangfan.documents.word import Writer
from fangfan.organisation.models import Body, BodyKind, Membership, SupportUnit
from fangfan.resources.models import TECHNICAL, Asset, Location, Person
from fangfan.standards import engine
from fangfan.standards.models import Category, Requirement, localized


@dataclass
class PlanData:
    """Everything the plan reads, gathered in a handful of queries."""

    unit: Unit
    bodies: dict[str, Body]
    members: dict[int, list[Membership]]
    key_locations: list[Location]
    guards: int
    guards_full_time: int
    people: int
    physical: list[Asset]
    technical: list[Asset]
    support: list[SupportUnit]
    checks: dict[str, list[tuple]] = field(default_factory=dict)
    plans: list = field(default_factory=list)  # the emergency plans in force
    phones: dict = field(default_factory=dict)  # person id → the phone as the reader sees it


def gather(unit: Unit) -> PlanData:
    bodies = {b.kind: b for b in Body.objects.filter(unit=unit).order_by("pk")}
    members: dict[int, list[Membership]] = {}
    for m in Membership.objects.filter(unit=unit).select_related("person"):  # leader first
        members.setdefault(m.body_id, []).append(m)
    people = Person.objects.filter(unit=unit).aggregate(
        total=Count("id"), guards=Count("id", filter=Q(is_guard=True)),
        full=Count("id", filter=Q(is_guard=True, full_time=True)))
    assets = list(Asset.objects.filter(unit=unit, status="in_service")
                  .select_related("location").order_by("category", "name"))
    return PlanData(
        unit=unit, bodies=bodies, members=members,
        key_locations=list(Location.objects.filter(unit=unit, is_key=True).order_by("pk")),
        guards=people["guards"], guards_full_time=people["full"], people=people["total"],
        physical=[a for a in assets if a.category not in TECHNICAL],
        technical=[a for a in assets if a.category in TECHNICAL],
        support=list(SupportUnit.objects.filter(unit=unit)),
        checks=_checks(unit), plans=_plans_in_force(unit))


def _plans_in_force(unit: Unit) -> list:
    from fangfan.emergency.models import EmergencyPlan, PlanStatus

    return list(EmergencyPlan.objects.filter(unit=unit, status=PlanStatus.APPROVED)
                .order_by("scenario", "title"))


def _checks(unit: Unit) -> dict[str, list[tuple]]:
    """What the active packs require of the unit now, by category."""
    outcomes = [(req, out) for req, out in engine.current_outcomes(unit)
                if out.status != "not_applicable"]
    texts = Requirement.objects.in_bulk([req.pk for req, _ in outcomes])
    out: dict[str, list[tuple]] = {}
    for req, outcome in outcomes:
        row = texts[req.pk]
        out.setdefault(row.category, []).append((row, outcome))
    return out


STATUS_WORDS = {"met": gettext_noop("Met"), "unmet": gettext_noop("Gap"),
                "unknown": gettext_noop("Not yet recorded")}


def build(unit: Unit, language: str = "zh-hans", reader=None) -> bytes:
    """The plan as .docx bytes, written in `language`. The members' phones are written
    as `reader` may see them (core.privacy: in full where they hold the permission, each
    such read logged, else masked); without a reader (the server's own command, run by
    whoever holds the database) in full."""
    with translation.override(language):
        data = gather(unit)
        data.phones = _phones(reader, data)
        w = Writer()
        w.title(_("Counter-terrorism prevention work plan"), unit.name)
        _goals(w, data)
        _mechanism(w, data)
        _grade_and_locations(w, data)
        _measures(w, data)
        _non_normal(w)
        _plan_rewards_accountability(w, data)
        _appendices(w, data)
        return w.to_bytes()


def _names(members: list[Membership], roles: set[str]) -> str:
    return _(", ").join(m.person.name for m in members if m.role in roles) or "—"


def _leader(m: Membership | None) -> str:
    if m is None:
        return "—"
    about = _(", ").join(x for x in (m.person.post, m.note) if x)
    return _("%(name)s (%(about)s)") % {"name": m.person.name, "about": about} if about \
        else m.person.name


def _goals(w: Writer, d: PlanData) -> None:
    w.heading(_("1. Goals and tasks"))
    w.paragraph(_(
        "To carry out the national, provincial and municipal requirements on counter-"
        "terrorism work, %(unit)s sets out this plan for its own situation: to strengthen "
        "every prevention measure and the responsibility for it, to raise its ability to "
        "prevent violent terrorist activity, to prevent and control terrorist attacks in "
        "time, and to keep the unit and its facilities running safely.") % {"unit": d.unit.name})


def _mechanism(w: Writer, d: PlanData) -> None:
    w.heading(_("2. Working mechanism"))
    group = d.bodies.get(BodyKind.LEADERSHIP_GROUP)
    w.heading(_("2.1 Leadership group"), 2)
    if group is None:
        w.paragraph(_("No leadership group is recorded yet. Record it under Organisation "
                      "→ Bodies, with the head of the unit as its leader."))
    else:
        members = d.members.get(group.pk, [])
        leader = next((m for m in members if m.role == "leader"), None)
        w.paragraph(_("%(unit)s has set up its %(body)s.") % {"unit": d.unit.name,
                                                               "body": group.name})
        w.paragraph(_("Leader: %(names)s") % {"names": _leader(leader)}, indent=False)
        w.paragraph(_("Deputy leaders: %(names)s") % {
            "names": _names(members, {"deputy_leader"})}, indent=False)
        w.paragraph(_("Members: %(names)s") % {"names": _names(members, {"member"})},
                    indent=False)
        if group.duty_list:
            w.paragraph(_("Main duties of the leadership group:"), indent=False)
            w.items(group.duty_list, numbered=_("({}) "))
    dept = d.bodies.get(BodyKind.RESPONSIBLE_DEPARTMENT)
    if dept is not None:
        head = _names(d.members.get(dept.pk, []), {"responsible_person", "director", "leader"})
        w.paragraph(_("The responsible department is %(dept)s; responsible person: "
                      "%(person)s.") % {"dept": dept.name, "person": head})
    office = d.bodies.get(BodyKind.OFFICE)
    if office is not None:
        w.heading(_("2.2 Office of the leadership group"), 2)
        director = _names(d.members.get(office.pk, []), {"director"})
        w.paragraph(_("The %(office)s is the working body of the leadership group. It sits "
                      "in %(seat)s; director: %(director)s. Its duties:") % {
            "office": office.name, "seat": office.seat or "—", "director": director})
        w.items(office.duty_list, numbered=_("({}) "))
    w.heading(_("2.3 Responsibility system"), 2)
    w.paragraph(_(
        "Following the principles that every post carries a double duty and whoever is in "
        "charge is responsible, the head of each department is its first responsible person "
        "and the people at each post are directly responsible. Tasks are broken down to "
        "departments and posts, checked in daily supervision and rewarded or held to "
        "account, so that everyone knows and carries their own part."))


# One sentence per grade, so each language writes the grade its own way (一级, grade 1).
GRADE_SENTENCES = {
    0: gettext_noop("%(unit)s is not designated a key target; it applies the general "
                    "prevention measures."),
    1: gettext_noop("%(unit)s is designated a grade 1 key target for the prevention of "
                    "terrorist attacks."),
    2: gettext_noop("%(unit)s is designated a grade 2 key target for the prevention of "
                    "terrorist attacks."),
    3: gettext_noop("%(unit)s is designated a grade 3 key target for the prevention of "
                    "terrorist attacks."),
}


def _grade_and_locations(w: Writer, d: PlanData) -> None:
    w.heading(_("3. Key-target grade"))
    sentence = GRADE_SENTENCES.get(d.unit.key_target_grade, GRADE_SENTENCES[0])
    w.paragraph(_(sentence) % {"unit": d.unit.name})
    w.heading(_("4. Key locations"))
    names = _(", ").join(loc.name for loc in d.key_locations)
    w.paragraph(_("The key locations of the unit are: %(names)s.") % {"names": names}
                if names else _("No key location is recorded yet."))


def _measures(w: Writer, d: PlanData) -> None:
    w.heading(_("5. Normal-state prevention measures"))
    w.heading(_("5.1 People-based protection"), 2)
    w.items([
        _("The head of the unit is responsible for its prevention work and keeps it going "
          "24 hours a day, with patrol and handover records."),
        _("%(people)s people are recorded, among them %(guards)s guards, %(full)s of them "
          "full-time.") % {"people": d.people, "guards": d.guards,
                           "full": d.guards_full_time},
        _("Staff to be hired are background-checked with the local police, and people at "
          "key posts are assessed regularly."),
        _("Key locations are guarded around the clock and patrolled."),
    ], numbered="{}. ")
    w.heading(_("5.2 Physical protection"), 2)
    w.paragraph(_("In service: %(items)s.") % {"items": _asset_summary(d.physical)}
                if d.physical else _("No physical-protection equipment is recorded yet."))
    w.heading(_("5.3 Technical protection"), 2)
    w.paragraph(_("In service: %(items)s.") % {"items": _asset_summary(d.technical)}
                if d.technical else _("No technical system is recorded yet."))


def _asset_summary(assets: list[Asset]) -> str:
    return _("; ").join(
        (_("%(name)s (%(about)s)") % {"name": f"{a.name or a.get_category_display()} "
                                               f"×{a.quantity}", "about": a.location.name})
        if a.location else f"{a.name or a.get_category_display()} ×{a.quantity}"
        for a in assets)


def _non_normal(w: Writer) -> None:
    w.heading(_("6. Non-normal prevention"))
    w.paragraph(_("Non-normal prevention has three levels, three, two and one, announced by "
                  "the national or provincial counter-terrorism office."))
    levels = [
        (_("Level three"), [
            _("A leader of the security office leads the prevention work on duty."),
            # xgettext:no-python-format
            _("Security forces are increased by at least 30% over the normal state, with "
              "communications kept open."),
            _("Entrances and key locations are watched and patrolled more closely; "
              "suspicious people, vehicles and articles are checked."),
            _("Unrelated articles are kept out of key locations; the local authorities are "
              "asked for guidance.")]),
        (_("Level two"), [
            _("On top of level three, a deputy head leads the prevention work on duty."),
            _("Security forces are increased by at least 50%."),
            _("A cordon is set, secondary entrances are closed and main entrances are "
              "double-staffed; key locations are guarded with strict checks."),
            _("All prevention and response equipment is on standby.")]),
        (_("Level one"), [
            _("On top of level two, the incident command HQ is activated and the head of "
              "the unit leads on duty around the clock."),
            _("Security forces are increased by at least 100%; every key location is "
              "guarded by at least two people with uninterrupted patrols."),
            _("Response forces and equipment are on alert; the perimeter is cordoned and "
              "main entrances are blocked with barriers."),
            _("The unit works with the counter-terrorism office and its supervising "
              "authority.")]),
    ]
    for title, measures in levels:
        w.heading(title, 2)
        w.items(measures, numbered=_("({}) "))


# The grounds of seed 000 §8 (ORG-6's accountability categories, in our wording).
ACCOUNTABILITY_GROUNDS = [
    gettext_noop("Instructions from above were not carried out and the omission caused harm."),
    gettext_noop("Absence from the post, or duties at the post not performed."),
    gettext_noop("The unit's counter-terrorism standards or rules were not followed."),
    gettext_noop("People, physical or technical protection required at key locations was "
                 "missing."),
    gettext_noop("Counter-terrorism information was reported late or not at all."),
    gettext_noop("Problems found in supervision were not rectified as required."),
    gettext_noop("Other conduct that disrupted prevention work and had consequences."),
]


def _plan_rewards_accountability(w: Writer, d: PlanData) -> None:
    w.heading(_("7. Emergency plan"))
    w.paragraph(_("The unit keeps a counter-terrorism emergency plan for the attacks it may "
                  "face, takes part in the drills the authorities organise and holds at least "
                  "one counter-terrorism drill of its own every year (see the emergency "
                  "plan)."))
    if d.plans:
        w.paragraph(_("The emergency plans in force:"))
        w.table([_("Scenario"), _("Plan"), _("Version"), _("Approved on")],
                [(p.get_scenario_display(), p.title, p.version, p.approved_on.isoformat())
                 for p in d.plans])
    else:
        w.paragraph(_("No emergency plan of the unit has been approved in Fangfan yet."))
    w.heading(_("8. Rewards"))
    w.paragraph(_("Departments and people who do outstanding prevention work, or contribute "
                  "in incidents, emergencies and special periods, are commended and "
                  "rewarded."))
    w.heading(_("9. Accountability"))
    w.paragraph(_("Whoever causes harm through the following, or through perfunctory work "
                  "and unimplemented rules, is held to account, together with the leaders "
                  "responsible:"))
    w.items([_(g) for g in ACCOUNTABILITY_GROUNDS], numbered="{}. ")
    w.paragraph(_("This plan is maintained by the office of the leadership group and takes "
                  "effect on the day it is issued. Generated by Fangfan on %(day)s from the "
                  "unit's records.") % {"day": timezone.localdate().isoformat()})


def _appendices(w: Writer, d: PlanData) -> None:
    w.page_break()
    w.table([_("No."), _("Support unit"), _("Kind"), _("Phone"), _("Distance (km)")],
            [(i, s.name, s.get_kind_display(), s.phone, s.distance_km)
             for i, s in enumerate(d.support, start=1)],
            caption=_("Appendix 1 · External support units"), widths=[1.5, 5, 3, 3.5, 3])
    titles = [(Category.PEOPLE, _("Appendix 2 · People-based protection configuration")),
              (Category.PHYSICAL, _("Appendix 3 · Physical protection configuration")),
              (Category.TECHNICAL, _("Appendix 4 · Technical protection configuration"))]
    present = {Category.PEOPLE: [(_("Guards"), d.guards, ""),
                                 (_("Full-time guards"), d.guards_full_time, "")],
               Category.PHYSICAL: _present(d.physical),
               Category.TECHNICAL: _present(d.technical)}
    for category, caption in titles:
        w.table([_("No."), _("Requirement"), _("Basis"), _("Required"), _("Present"),
                 _("Result")],
                [(i, _("%(title)s: %(text)s") % {"title": r.short_title,
                                                  "text": localized(r.text)},
                  f"{localized(r.citation['document'])} "
                  f"{r.citation['clause']}", _number(o.required), _number(o.actual),
                  _(STATUS_WORDS[o.status]))
                 for i, (r, o) in enumerate(d.checks.get(category, []), start=1)],
                caption=caption, widths=[1.2, 6.3, 4, 1.5, 1.5, 1.5])
        w.table([_("Item"), _("Quantity"), _("Location")], present[category],
                caption=_("Present configuration"), widths=[8, 3, 5])
    group = d.bodies.get(BodyKind.LEADERSHIP_GROUP)
    members = d.members.get(group.pk, []) if group else []
    w.table([_("No."), _("Name"), _("Post"), _("Mobile"), _("Role in the group")],
            [(i, m.person.name, m.person.post, d.phones.get(m.person_id, m.person.phone),
              m.get_role_display())
             for i, m in enumerate(members, start=1)],
            caption=_("Appendix 5 · Leadership group members and contacts"),
            widths=[1.5, 3, 5, 3.5, 3])


def _phones(reader, d: PlanData) -> dict[int, str]:
    if reader is None:
        return {}
    group = d.bodies.get(BodyKind.LEADERSHIP_GROUP)
    people = [m.person for m in (d.members.get(group.pk, []) if group else [])]
    shown = privacy.document_values(reader, registry.get("people"), people)
    return {p.pk: values.get("phone", p.phone)
            for p, values in zip(people, shown, strict=True)}


def _present(assets: list[Asset]) -> list[tuple]:
    return [(a.name or a.get_category_display(), a.quantity,
             a.location.name if a.location else "") for a in assets]


def _number(value) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
