"""The fact families of the organisation (SPEC STD-2): leadership group, responsible
department and liaisons, external support units, responsibility letters, rules. Declared here,
in the generic registry of fangfan.standards.facts, when the app is ready (apps.py)."""
from __future__ import annotations

from django.db.models import Count, Min, Q, QuerySet
from django.utils.translation import gettext_noop

from fangfan.organisation.models import REQUIRED_RULES, Letter, RuleDocument, SupportUnit
from fangfan.resources.models import Person
from fangfan.standards.facts import fact, fact_day, family

# --- organisation (ORG-1, ORG-4, ORG-5) ---------------------------------------------------
fact("leadership_group_leader", "organisation", "bool",
     gettext_noop("The unit's leadership group has a leader (组长, its first responsible person); "
                  "known once the unit records people, so a unit without one shows the gap."),
     source="bodies")
fact("responsible_person_set", "organisation", "bool",
     gettext_noop("A responsible department with a responsible person (or director) is recorded."),
     source="bodies")
fact("liaisons_count", "organisation", "int",
     gettext_noop("Liaisons designated for the unit."),
     source="liaisons")
fact("support_units_count", "support_units", "int",
     gettext_noop("External support units recorded."))
fact("police_support_km_min", "support_units", "float",
     gettext_noop("Distance (km) to the nearest police station among the support units; unknown "
                  "when none is a police station."),
     missing=gettext_noop("No police station is recorded among the support units yet."))


@family("organisation",
        derive=lambda r: {"leadership_group_leader": r["leaders"] > 0,
                          "responsible_person_set": r["responsible"] > 0,
                          "liaisons_count": r["liaisons_count"]},
        source="people")
def _organisation(scope: Q) -> QuerySet:
    """Over the unit's people: a unit that records people but no leader has a gap."""
    return Person.objects.filter(scope).values("unit_path").annotate(
        leaders=Count("memberships", distinct=True, filter=Q(
            memberships__role="leader", memberships__body__kind="leadership_group")),
        responsible=Count("memberships", distinct=True, filter=Q(
            memberships__body__kind="responsible_department",
            memberships__role__in=["responsible_person", "director", "leader"])),
        liaisons_count=Count("liaisons", distinct=True))


def _derive_support(r: dict) -> dict:
    km = r["police_support_km_min"]
    return {**r, "police_support_km_min": None if km is None else float(km)}


@family("support_units", derive=_derive_support, source="support-units")
def _support_units(scope: Q) -> QuerySet:
    return SupportUnit.objects.filter(scope).values("unit_path").annotate(
        support_units_count=Count("id"),
        police_support_km_min=Min("distance_km", filter=Q(kind="police")))


# --- responsibility letters (ORG-3) ------------------------------------------------------
fact("letters_issued", "letters", "int",
     gettext_noop("Responsibility letters issued to the unit's people."))
fact("letters_signed", "letters", "int",
     gettext_noop("Of those, letters signed."))
fact("letters_overdue", "letters", "int",
     gettext_noop("Letters still unsigned after their campaign's deadline."))


@family("letters", clock=True, minute=True, source="letters")
def _letters(scope: Q) -> QuerySet:
    return Letter.objects.filter(scope).values("unit_path").annotate(
        letters_issued=Count("id"),
        letters_signed=Count("id", filter=Q(signed_on__isnull=False)),
        letters_overdue=Count("id", filter=Q(signed_on__isnull=True,
                                             campaign__deadline__lt=fact_day())))


# --- rules (ORG-7) -------------------------------------------------------------------------
fact("rules_missing", "rules", "int",
     gettext_noop("Rules of the rule system seed 001 asks for (duty, gate and visitors, "
                  "patrols, key locations, information reporting, emergency response, "
                  "inspections) with no approved version in force."))
fact("rules_review_overdue", "rules", "int",
     gettext_noop("Rules in force whose review date has passed."))


def _derive_rules(r: dict) -> dict:
    return {"rules_missing": len(REQUIRED_RULES) - r["required_in_force"],
            "rules_review_overdue": r["rules_review_overdue"]}


@family("rules", derive=_derive_rules, clock=True, minute=True, source="rules")
def _rules(scope: Q) -> QuerySet:
    """Over the unit's rules: none recorded leaves both unknown."""
    in_force = Q(approved_on__isnull=False, superseded_on__isnull=True)
    return RuleDocument.objects.filter(scope).values("unit_path").annotate(
        required_in_force=Count("kind", distinct=True,
                                filter=in_force & Q(kind__in=REQUIRED_RULES)),
        rules_review_overdue=Count("id", filter=in_force & Q(
            review_due__lt=fact_day())))
