"""The incident report (事件报告) as .docx, in Chinese or English: what happened, where
and when, how it was reported (each report against the local limit, late ones marked),
the response groups' tasks, the timeline, the public statements, and the aftermath
summary and lessons. On the thin python-docx layer of documents/word.py."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from docx.enum.text import WD_ALIGN_PARAGRAPH

from fangfan.documents.word import Writer
from fangfan.incidents.models import ExternalReport, Incident, IncidentStatus
from fangfan.inspections.documents import _form, _line, _signatures


def _time(value: dt.datetime | None) -> str:
    if not value:
        return "—"
    value = timezone.localtime(value)
    if (translation.get_language() or "").startswith("zh"):
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    return f"{date_format(value, 'j F Y')} {value:%H:%M}"


def _label(model, name: str) -> str:
    return capfirst(str(model._meta.get_field(name).verbose_name))


def _user(user) -> str:
    return (user.get_full_name() or user.username) if user else "—"


def number(incident: Incident) -> str:
    return _("No. %(year)s-%(number)s") % {
        "year": timezone.localtime(incident.occurred_at).year,
        "number": f"{incident.pk:04d}"}


def report(incident: Incident, language: str = "zh-hans") -> bytes:
    with translation.override(language):
        w = Writer()
        w.title(_("Incident report"), incident.unit.name)
        _line(w, number(incident), WD_ALIGN_PARAGRAPH.CENTER)
        w.heading(_("1. The incident"), 2)
        source = incident.get_source_display()
        if incident.device_id:
            source = f"{source}: {incident.device}"
        _form(w, [
            (_label(Incident, "unit"), incident.unit.name),
            (_label(Incident, "title"), incident.title),
            (_label(Incident, "location"), str(incident.location or "")),
            (_label(Incident, "occurred_at"), _time(incident.occurred_at)),
            (_label(Incident, "severity"), incident.get_severity_display()),
            (_label(Incident, "description"), incident.description),
            (_label(Incident, "source"), source),
            (_label(Incident, "reported_by"), _user(incident.reported_by)
             if incident.reported_by_id else "—"),
            (_label(Incident, "status"), incident.get_status_display()),
        ], height=0.75)
        w.heading(_("2. Reports to the police and the authorities"), 2)
        reports = list(incident.reports.all())
        w.paragraph(_("Report within %(minutes)s minutes of the occurrence, by %(time)s "
                      "(the unit's reporting limit for a %(severity)s incident).") % {
            "minutes": reports[0].limit_minutes if reports else
            int((incident.report_by - incident.occurred_at).total_seconds() // 60),
            "time": _time(incident.report_by),
            "severity": incident.get_severity_display().lower()})
        if reports:
            w.table([_label(ExternalReport, n) for n in
                     ("recipient", "reported_at", "reported_by", "reference")] +
                    [_("On time")],
                    [(r.get_recipient_display(), _time(r.reported_at), r.reported_by,
                      r.reference or "—", _("No (late)") if r.late else _("yes"))
                     for r in reports], widths=(4.2, 3.8, 2.6, 3.4, 2.0))
        else:
            w.paragraph(_("No report is recorded."))
        w.heading(_("3. Response groups"), 2)
        tasks = list(incident.tasks.all())
        if tasks:
            w.table([_("Group"), _("Task"), _("Done at"), _("Note")],
                    [(t.group.name, t.task, _time(t.done_at) if t.done else _("not done"),
                      t.note or "") for t in tasks], widths=(3.0, 7.0, 3.2, 2.8))
        else:
            w.paragraph(_("No response group was activated."))
        w.heading(_("4. Timeline"), 2)
        w.table([_("Time"), _("What"), _("By")],
                [(_time(e.at), e.what, _user(e.by) if e.by_id else "—")
                 for e in incident.events.all()], widths=(3.6, 10.0, 2.4))
        w.heading(_("5. Public statements"), 2)
        statements = list(incident.statements.all())
        for s in statements:
            state = (_("released %(time)s") % {"time": _time(s.released_at)} if s.released_at
                     else _("approved, not released") if s.approved else _("not approved"))
            w.paragraph(_("%(spokesperson)s (%(state)s): %(text)s") % {
                "spokesperson": s.spokesperson.name, "state": state, "text": s.text})
        if not statements:
            w.paragraph(_("No public statement."))
        w.heading(_("6. Aftermath and lessons"), 2)
        if incident.status == IncidentStatus.CLOSED:
            _form(w, [(_label(Incident, "aftermath"), incident.aftermath),
                      (_label(Incident, "lessons"), incident.lessons),
                      (_label(Incident, "closed_at"), _time(incident.closed_at))])
        else:
            w.paragraph(_("The incident is still being handled: the aftermath summary and "
                          "lessons follow at its closure."))
        _line(w, incident.unit.name, WD_ALIGN_PARAGRAPH.RIGHT, space_before=18)
        _line(w, _time(timezone.now()).split(" ")[0], WD_ALIGN_PARAGRAPH.RIGHT)
        _signatures(w, [_("Person in charge")])
        return w.to_bytes()
