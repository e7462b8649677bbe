"""The shipped checklists (INS-1): the monthly self-inspection of a school and the
supervisory list of an authority, drawn from the requirements of the shipped packs
(SPEC §2 and §9: people, physical and technical protection, rules, drills). They are
used where an inspection names no checklist of its own; an authority writes its own
(`Checklist`) for its subtree. Items are copied into each inspection in the language of
the person who starts it, so a record never changes with a later translation."""
from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

SELF = [
    gettext_noop("The leadership group, its office and the responsible department are "
                 "staffed and know their duties."),
    gettext_noop("Full-time guards are on duty at the main gate during school hours, in "
                 "the number the standard requires."),
    gettext_noop("Every guard holds a valid guard licence."),
    gettext_noop("The gate duty room holds the guard kit (helmet, shield, stab-proof vest, "
                 "cut-resistant gloves, baton, strong flashlight, defence spray) and "
                 "steel forks, in working order."),
    gettext_noop("Visitors are registered and checked at the gate; outside vehicles do "
                 "not enter without approval."),
    gettext_noop("The campus is closed: walls, fences and gates intact, side gates locked."),
    gettext_noop("Anti-ramming barriers at the main gate are in place."),
    gettext_noop("Cameras at the gate, key locations and perimeter work day and night; "
                 "recordings are kept at least 90 days."),
    gettext_noop("The one-key alarm works and reaches the police (test call this month)."),
    gettext_noop("Intrusion alarms and cameras protect hazardous-chemical stores, labs "
                 "and the finance office; two-person, two-lock custody is kept."),
    gettext_noop("Lighting at key locations and entrances works at night."),
    gettext_noop("Faults of technical systems are reported and restored within 24 hours."),
    gettext_noop("Patrols cover the key locations at the required frequency and are "
                 "recorded."),
    gettext_noop("Emergency plans are current and staff know their roles."),
    gettext_noop("A drill has been held this semester."),
    gettext_noop("Canteen, drinking water and power room are access-controlled."),
    gettext_noop("Hazards found earlier are rectified or under rectification by their "
                 "deadline."),
]

SUPERVISORY = [
    gettext_noop("The unit's counter-terrorism organisation and responsibility letters "
                 "are in place."),
    gettext_noop("Guard staffing meets the standard; guards are licensed and trained."),
    gettext_noop("Physical protection (walls, gates, barriers, kit) meets the standard."),
    gettext_noop("Technical protection (video, alarms, access control) works and is "
                 "networked to the police where required."),
    gettext_noop("Gate and visitor control are enforced."),
    gettext_noop("Monthly self-inspections are carried out and their hazards rectified."),
    gettext_noop("Emergency plans exist and drills are held every semester."),
    gettext_noop("Information is reported on time; liaisons keep in contact."),
    gettext_noop("Rectification of hazards dispatched earlier is complete and verified."),
]

SPECIAL = [
    gettext_noop("Duty and leaders on duty are arranged for the period."),
    gettext_noop("Entrances, perimeter and key locations are reinforced as the period "
                 "requires."),
    gettext_noop("Emergency equipment is on standby and its people are reachable."),
    gettext_noop("Staff and guards have been briefed on the period's risks."),
]

BY_KIND = {"self": SELF, "supervisory": SUPERVISORY, "special": SPECIAL}


def items_for(kind: str) -> list[str]:
    """The shipped items of an inspection kind, in the current language."""
    return [_(item) for item in BY_KIND[kind]]
