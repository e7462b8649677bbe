"""The user's in-app notifications (reminders, alerts), how each went out by e-mail, the
user's choice of channels, and sending a failed delivery again."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangfan.core import notify, permissions, registry
from fangfan.core.forms import style
from fangfan.core.models import Delivery, Notification, NotificationPreference


@login_required
def notifications(request):
    rows = Notification.objects.filter(user=request.user).prefetch_related(
        Prefetch("deliveries", queryset=Delivery.objects.order_by("pk")))
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


@login_required
@require_POST
def mark_all_read(request):
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=timezone.now())
    return redirect("notifications")


class PreferenceForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address"), required=False,
                             max_length=254)
    by_email = forms.BooleanField(
        label=gettext_lazy("Also send my notifications by e-mail"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("by_email") and not data.get("email"):
            self.add_error("email", _("Enter the address to send e-mail to."))
        return data


@login_required
def preferences(request):
    """Channels beyond the inbox: e-mail on or off, and the address it goes to."""
    user = request.user
    pref = NotificationPreference.objects.filter(user=user).first()
    initial = {"email": user.email, "by_email": pref.email if pref else True}
    form = PreferenceForm(request.POST or None, initial=initial)
    style(form)
    if request.method == "POST" and form.is_valid():
        user.email = form.cleaned_data["email"]
        user.save(update_fields=["email"])
        NotificationPreference.objects.update_or_create(
            user=user, defaults={"email": form.cleaned_data["by_email"]})
        messages.success(request, _("Saved."))
        return redirect("notification-settings")
    return render(request, "core/notification_settings.html", {"form": form},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def retry_delivery(request, pk: int):
    """Send again: a user's own e-mail, or a group robot's message for those who may
    change the robot. Anything else answers 404."""
    delivery = get_object_or_404(Delivery.objects.select_related("notification"), pk=pk)
    if delivery.channel_id is not None:
        if not permissions.allowed(request.user, "change", registry.get("group-robots"),
                                   delivery.unit_path):
            raise Http404
        back = delivery.channel.get_absolute_url()
    else:
        if delivery.notification is None or delivery.notification.user_id != request.user.pk:
            raise Http404
        back = "notifications"
    notify.retry(delivery)
    messages.success(request, _("It will be sent again shortly."))
    following = request.POST.get("next", "")
    if following and url_has_allowed_host_and_scheme(
            following, {request.get_host()}, require_https=request.is_secure()):
        return redirect(following)
    return redirect(back)
