"""Date and time formats per language (settings.FORMAT_MODULE_PATH).

Both languages write dates the ISO way, which Chinese offices use in forms and which
sorts and reads the same in English: 2026-03-01, 2026-03-01 08:30. Templates name the
format (`|date:"DATE_FORMAT"`, `|date:"DATETIME_FORMAT"`), never spell it out, so a
language can change its style here in one place."""

ISO = {
    "DATE_FORMAT": "Y-m-d",
    "SHORT_DATE_FORMAT": "Y-m-d",
    "DATETIME_FORMAT": "Y-m-d H:i",
    "SHORT_DATETIME_FORMAT": "Y-m-d H:i",
    "TIME_FORMAT": "H:i",
    "YEAR_MONTH_FORMAT": "Y-m",
    "MONTH_DAY_FORMAT": "m-d",
}
