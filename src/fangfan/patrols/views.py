"""The pages of patrols beyond the generic record pages: the printable QR sheet of a
route, and the guard's phone pages — the routes to start, a round's checkpoints in order
with the scan form (camera or typed code), finishing a round."""
from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangfan.core import evidence, permissions, registry
from fangfan.core.forms import MAX_FILES
from fangfan.core.views.records import refusal_text, visible_record
from fangfan.patrols import services
from fangfan.patrols.models import PatrolRound, PatrolRoute, normalise_code


@login_required
def qr_sheet(request, pk: int):
    """One card per checkpoint, in order: the location's name, its QR code (the address
    of the checkpoint, which opens the patrol page on any phone) and the code to type
    when the camera cannot read it. For those who set up the route (A4, print CSS)."""
    route = visible_record(request, "patrol-routes", pk, action="change")
    cards = []
    for point in route.checkpoints.select_related("location"):
        url = request.build_absolute_uri(reverse("patrol-checkpoint", args=[point.tag]))
        qr = segno.make(url, error="m")
        cards.append({"point": point, "svg": mark_safe(qr.svg_inline(scale=5, border=2))})
    return render(request, "patrols/qr_sheet.html", {"route": route, "cards": cards})


def _routes_for(user):
    """The active routes the user may patrol (add scans in their unit)."""
    scans = registry.get("patrol-scans")
    qs = PatrolRoute.objects.filter(
        permissions.restrict(user, "view", registry.get("patrol-routes")), active=True)
    return [r for r in qs.select_related("unit").order_by("unit_path", "name")
            if permissions.allowed(user, "add", scans, r.unit_path)]


def route_states(routes: list[PatrolRoute], now) -> list[dict]:
    """Each route with its round due now (if its window is open) or its next time."""
    dues = {r.pk: services.window_at(r, now) for r in routes}
    rounds = {(x.route_id, x.due_at): x for x in PatrolRound.objects.filter(
        route__in=[r.pk for r in routes], due_at__in=[d for d in dues.values() if d])}
    out = []
    for route in routes:
        due = dues[route.pk]
        rnd = rounds.get((route.pk, due)) if due else None
        if rnd is not None and rnd.is_finished:
            due, rnd = None, None
        nxt = due or services.next_due(route, rnd.ends_at if rnd else now)
        out.append({"route": route, "now": due is not None, "round": rnd, "due": nxt})
    return sorted(out, key=lambda s: (not s["now"], s["due"] or now))


@login_required
def patrol_home(request):
    """The guard's start page: the routes, those due now first, "Start patrol"."""
    states = route_states(_routes_for(request.user), timezone.now())
    if not states and not permissions.allowed(request.user, "view",
                                              registry.get("patrol-routes")):
        raise Http404
    return render(request, "patrols/start.html", {"states": states})


@login_required
@require_POST
def start(request, pk: int):
    route = visible_record(request, "patrol-routes", pk)
    if not permissions.allowed(request.user, "add", registry.get("patrol-scans"),
                               route.unit_path):
        raise Http404
    try:
        rnd = services.start(request.user, route)
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
        return redirect("patrol-home")
    return redirect("patrol-round", pk=rnd.pk)


@login_required
def checkpoint_link(request, code: str):
    """The address in a checkpoint's QR code, opened by any phone's camera: the round of
    its route due now (started if need be), with the code filled in to confirm."""
    from fangfan.patrols.models import Checkpoint

    point = Checkpoint.objects.filter(tag=normalise_code(code)).select_related(
        "route").first()
    scans = registry.get("patrol-scans")
    if point is None or not permissions.allowed(request.user, "add", scans,
                                                 point.unit_path):
        messages.error(request, _("This checkpoint is not one of your unit's: no round "
                                  "of yours can record it."))
        return redirect("patrol-home")
    try:
        rnd = services.start(request.user, point.route)
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
        return redirect("patrol-home")
    url = reverse("patrol-round", args=[rnd.pk])
    return redirect(f"{url}?{urlencode({'code': point.tag})}")


def _scan_form_files(request) -> list:
    """The photos taken with the scan (checked again by evidence.attach)."""
    files = [f for f in request.FILES.getlist("photo") if f]
    if len(files) > MAX_FILES:
        raise ValidationError(_("Attach at most %(n)s files.") % {"n": MAX_FILES})
    for upload in files:
        evidence.check_upload(upload)
    return files


@login_required
def round_page(request, pk: int):
    """A round on the phone: its checkpoints in order, scanned or not, and the scan
    form. POST records a scan (refusals said in words, nothing saved)."""
    rnd = visible_record(request, "patrol-rounds", pk)
    may_scan = permissions.allowed(request.user, "add", registry.get("patrol-scans"),
                                   rnd.unit_path)
    code = normalise_code(request.GET.get("code", ""))
    note = ""
    status = 200
    if request.method == "POST":
        if not may_scan:
            raise Http404
        code, note = request.POST.get("code", ""), request.POST.get("note", "")
        try:
            record = services.scan(request.user, rnd, code, note,
                                   _scan_form_files(request))
        except ValidationError as exc:
            messages.error(request, refusal_text(exc))
            status = 400
        else:
            messages.success(request, _("Recorded: %(place)s at %(time)s.") % {
                "place": record.checkpoint.location,
                "time": f"{timezone.localtime(record.scanned_at):%H:%M}"})
            return redirect("patrol-round", pk=rnd.pk)
        rnd.refresh_from_db()
    rows = services.progress(rnd)
    return render(request, "patrols/round.html", {
        "round": rnd, "rows": rows, "may_scan": may_scan and not rnd.is_finished,
        "done": sum(1 for r in rows if r["scan"]), "code": code, "note": note,
        "may_finish": may_scan and not rnd.is_finished}, status=status)


@login_required
@require_POST
def finish(request, pk: int):
    rnd = visible_record(request, "patrol-rounds", pk)
    if not permissions.allowed(request.user, "add", registry.get("patrol-scans"),
                               rnd.unit_path):
        raise Http404
    try:
        services.finish(request.user, rnd)
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, _("Patrol finished."))
    return redirect("patrol-round", pk=rnd.pk)
