"""Personal data on the pages (X-3, core.privacy): a masked value with its "Show" button
on a record's page, the reveal itself (logged), the read log and the dataset register
for administrators and auditors, and the permission to see in full on the accounts page."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangfan.core import accounts, permissions, privacy, registry
from fangfan.core.forms import add_errors, style
from fangfan.core.models import PersonalDataGrant, PersonalDataRead, User
from fangfan.core.views.records import RecordView, _display


def masked_cell(request, rt, obj, name: str, kind: str):
    """A personal field on a record's page: its mask, and for those who may see it in
    full a "Show" button that reveals it in place (and logs the read)."""
    value = getattr(obj, name)
    if value in (None, ""):
        return value
    shown = privacy.mask(kind, _display(obj, name))
    if kind == privacy.Kind.FACE or not privacy.sees_in_full(request.user,
                                                             privacy.path_of(obj)):
        return format_html('<span class="ff-masked">{}</span>', shown)
    url = reverse(rt.url_name("reveal"), args=[obj.pk, name])
    return format_html(
        '<span id="reveal-{name}"><span class="ff-masked">{shown}</span> '
        '<form method="post" action="{url}" class="d-inline" hx-post="{url}" '
        'hx-target="#reveal-{name}" hx-swap="outerHTML">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
        '<button type="submit" class="btn btn-outline-secondary ms-1" '
        'data-testid="reveal-{name}">{label}</button></form></span>',
        name=name, shown=shown, url=url, token=get_token(request), label=_("Show"))


class RecordRevealView(RecordView):
    """The full value of one personal field of one record, for whoever holds the
    permission at its unit; each reveal is logged. A POST, so no prefetch or cache
    reads it by accident."""

    def post(self, request, pk: int, field: str):
        kinds = privacy.fields_of(self.rt)
        if field not in kinds or kinds[field] == privacy.Kind.FACE:
            raise Http404
        obj = self.get_object(pk)
        if not privacy.sees_in_full(request.user, privacy.path_of(obj)):
            raise PermissionDenied(_("You may not see personal data in full here."))
        privacy.log_reads(request.user, self.rt, [obj], [field], privacy.PAGE)
        value = _display(obj, field)
        if request.htmx:
            return HttpResponse(format_html('<span id="reveal-{}" data-testid="revealed">{}'
                                            '</span>', field, value))
        label = obj._meta.get_field(field).verbose_name
        return render(request, "core/privacy_revealed.html",
                      {"object": obj, "rt": self.rt, "label": label, "value": value})


# --- Read log and dataset register -------------------------------------------------------

def _reader(request) -> None:
    if not permissions.can_read_audit(request.user):
        raise PermissionDenied


@login_required
def read_log(request):
    """Every full read of personal data in the reader's units, newest first."""
    _reader(request)
    qs = PersonalDataRead.objects.filter(permissions.audit_q(request.user)).select_related(
        "user")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [{"read": r, "type": _type_name(r.record_type),
             "fields": privacy.field_labels(r.record_type, r.fields),
             "link": _link(r)} for r in page]
    return render(request, "core/privacy_reads.html", {"page": page, "rows": rows})


def _type_name(label: str) -> str:
    rt = registry.for_label(label)
    return rt.verbose_name if rt is not None else _("record")


def _link(read: PersonalDataRead) -> str:
    rt = registry.for_label(read.record_type)
    return "" if rt is None else reverse(rt.url_name("detail"), args=[read.record_id])


@login_required
def datasets(request):
    """The register of personal datasets: fields, purpose, legal basis, retention."""
    _reader(request)
    shown = privacy.datasets()
    # A dataset links to its records only for those who may open them (the ledger's).
    viewable = {d.rt.slug for d in shown if permissions.allowed(request.user, "view", d.rt)}
    return render(request, "core/privacy_datasets.html",
                  {"datasets": shown, "viewable": viewable})


# --- The permission to see in full, on the accounts page --------------------------------

class RevealGrantForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("User name"), max_length=150)
    unit = forms.ModelChoiceField(label=gettext_lazy("Unit"), queryset=None)

    def __init__(self, actor, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = accounts.units_managed(actor)
        self.fields["unit"].queryset = units
        if len(only := list(units[:2])) == 1:
            self.fields["unit"].initial = only[0].pk
        style(self)


def reveal_grants(actor):
    """The permissions to see in full that `actor` manages (their subtrees)."""
    qs = PersonalDataGrant.objects.select_related("user", "unit").order_by("unit_path",
                                                                           "user__username")
    if actor.is_superuser:
        return qs
    from fangfan.core.scoping import subtree_q

    return qs.filter(subtree_q("unit_path", accounts.manager_roots(actor)))


@login_required
def grant_reveal(request):
    if not accounts.may_manage(request.user):
        raise Http404
    form = RevealGrantForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(username=form.cleaned_data["username"]).first()
        try:
            if user is None:
                raise ValidationError({"username": _("No such user.")})
            privacy.grant(request.user, user, form.cleaned_data["unit"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("%(user)s may now see personal data in full there.")
                             % {"user": user.username})
            return redirect("accounts-manage")
    messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("accounts-manage")


@login_required
def revoke_reveal(request, pk: int):
    if not accounts.may_manage(request.user) or request.method != "POST":
        raise Http404
    grant = get_object_or_404(reveal_grants(request.user), pk=pk)
    privacy.revoke(request.user, grant)
    messages.success(request, _("Permission taken back."))
    return redirect("accounts-manage")
