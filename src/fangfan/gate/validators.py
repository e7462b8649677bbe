"""Checks of what is typed at the gate: a resident identity number (GB 11643-1999, its
check digit and date of birth) and a Chinese vehicle plate (GA 36: ordinary 7 characters,
new-energy 8). Both refuse with a sentence the guard can act on."""
from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# ISO 7064 MOD 11-2 as GB 11643 uses it: weights of the first 17 digits, and the check
# character for each remainder.
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
LETTER = "A-HJ-NP-Z"  # no I or O on a plate
ORDINARY = re.compile(rf"^[{PROVINCES}][{LETTER}][{LETTER}0-9]{{4}}[{LETTER}0-9挂学警港澳]$")
NEW_ENERGY = re.compile(rf"^[{PROVINCES}][{LETTER}]"
                        rf"(?:[DF][{LETTER}0-9][0-9]{{4}}|[0-9]{{5}}[DF])$")
EMBASSY = re.compile(r"^(?:使[0-9]{6}|[0-9]{3}[0-9]{3}使|[0-9]{3}[0-9]{3}领)$")


def normalise_identity(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def check_character(first17: str) -> str:
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def validate_identity_number(value: str) -> None:
    """A resident identity number (居民身份证号码): 18 characters, a real date of birth,
    and the check character of GB 11643. Each failure says what is wrong, so the guard
    asks the visitor again instead of guessing."""
    value = normalise_identity(value)
    if not value:
        return
    if not re.fullmatch(r"[0-9]{17}[0-9X]", value):
        raise ValidationError(_("An identity number has 18 characters: 17 digits and a last "
                                "digit or X."), code="format")
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("The date of birth in this identity number does not exist."),
                              code="birth") from None
    if born > dt.date.today() or born.year < 1900:
        raise ValidationError(_("The date of birth in this identity number does not exist."),
                              code="birth")
    if check_character(value[:17]) != value[17]:
        raise ValidationError(_("The last character of this identity number does not match "
                                "the others (GB 11643 check digit): one digit is mistyped."),
                              code="checksum")


def normalise_plate(value: str) -> str:
    return re.sub(r"[\s·•.\-]", "", value or "").upper()


def validate_plate(value: str) -> None:
    """A Chinese plate: province, issuing letter and five characters (京A12345), or a
    new-energy plate of eight (京AD12345, 京A12345D)."""
    value = normalise_plate(value)
    if value and not (ORDINARY.match(value) or NEW_ENERGY.match(value)
                      or EMBASSY.match(value)):
        raise ValidationError(_("This is not a Chinese plate number: a province's character, "
                                "a letter and five characters (京A12345), or eight for a "
                                "new-energy vehicle (京AD12345)."), code="plate")


PHONE = re.compile(r"^(?:1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}|[0-9]{7,8})$")


def validate_phone(value: str) -> None:
    if value and not PHONE.match(re.sub(r"[\s-]", "", value) if value.startswith("1")
                                     else value.replace(" ", "")):
        raise ValidationError(_("Enter a mobile number of 11 digits (13800000000) or a "
                                "landline with its area code (010-12345678)."), code="phone")
