"""Accounts and roles page: who holds which role where, a new account (or a further role
for a managed user), taking a role back, setting a password."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangfan.core import accounts, services
from fangfan.core.forms import add_errors, style
from fangfan.core.models import Role, User
from fangfan.core.models.users import validate_username


class AccountForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("User name"), max_length=150,
                               validators=[validate_username])
    name = forms.CharField(label=gettext_lazy("Name"), max_length=150, required=False)
    password = forms.CharField(label=gettext_lazy("Password"), required=False,
                               widget=forms.PasswordInput(render_value=False),
                               help_text=gettext_lazy("Only for a new account."))
    unit = forms.ModelChoiceField(label=gettext_lazy("Unit"), queryset=None)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)

    def __init__(self, actor, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = accounts.units_managed(actor)
        self.fields["unit"].queryset = units
        if len(only := list(units[:2])) == 1:
            self.fields["unit"].initial = only[0].pk
        offered = accounts.roles_offered(actor)
        self.fields["role"].choices = [(r, label) for r, label in Role.choices if r in offered]
        style(self)


class PasswordForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("New password"),
                               widget=forms.PasswordInput(render_value=False))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


def _managing(request):
    if not accounts.may_manage(request.user):
        raise Http404
    return request.user


@login_required
def manage(request):
    actor = _managing(request)
    form = AccountForm(actor, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user = accounts.add_account(actor, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("%(user)s now holds the role.") % {
                    "user": user.username})
                return redirect("accounts-manage")
        status = 400
    grants = accounts.grants_managed(actor)
    if q := request.GET.get("q", "").strip():
        grants = grants.filter(Q(user__username__icontains=q) | Q(user__first_name__icontains=q)
                               | Q(unit__name__icontains=q))
    page = Paginator(grants, 50).get_page(request.GET.get("page"))
    return render(request, "core/accounts.html", {"form": form, "page": page, "q": q},
                  status=status)


@login_required
@require_POST
def revoke(request, pk: int):
    actor = _managing(request)
    grant = get_object_or_404(accounts.grants_managed(actor), pk=pk)
    try:
        services.revoke_role(actor, grant)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Role taken back."))
    return redirect("accounts-manage")


@login_required
def password(request, pk: int):
    actor = _managing(request)
    user = get_object_or_404(User.objects.filter(grants__in=accounts.grants_managed(actor))
                             .distinct(), pk=pk)
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.set_password(actor, user, form.cleaned_data["password"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Password set."))
            return redirect("accounts-manage")
    return render(request, "core/account_password.html", {"form": form, "account": user},
                  status=400 if request.method == "POST" else 200)
