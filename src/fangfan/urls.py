"""Project routes."""
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from fangfan.core import api, operations, routing
from fangfan.core.views import accounts, audit, home, notifications, privacy, records, twofactor

urlpatterns = [
    # The API first: its requests are resolved before any page's route is tried.
    path("api/auth/token/", api.TokenView.as_view(), name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
         name="api-docs"),
    routing.HeadResolver("api/", api.build_router().urls),
    re_path(r"^api/", api.not_found),  # the API answers JSON, even for an unknown path
    path("", home.home, name="home"),
    path("home/counts/", home.home_counts, name="home-counts"),
    path("health/", operations.health, name="health"),
    path("metrics", operations.metrics, name="metrics"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True),
         name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/2fa/", twofactor.status, name="twofactor-status"),
    path("accounts/2fa/setup/", twofactor.setup, name="twofactor-setup"),
    path("accounts/2fa/verify/", twofactor.verify, name="twofactor-verify"),
    path("accounts/2fa/codes/", twofactor.renew_codes, name="twofactor-renew"),
    path("language/", home.set_language, name="set-language"),
    path("switch-unit/", home.switch_unit, name="switch-unit"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/read/", notifications.mark_all_read, name="notifications-read"),
    path("notifications/settings/", notifications.preferences, name="notification-settings"),
    path("notifications/deliveries/<int:pk>/retry/", notifications.retry_delivery,
         name="delivery-retry"),
    path("accounts/manage/", accounts.manage, name="accounts-manage"),
    path("accounts/manage/<int:pk>/revoke/", accounts.revoke, name="account-revoke"),
    path("accounts/manage/user/<int:pk>/password/", accounts.password, name="account-password"),
    path("audit/", audit.audit_log, name="audit-log"),
    path("audit/<int:pk>/", audit.audit_entry, name="audit-entry"),
    path("audit/personal-data/", privacy.read_log, name="privacy-reads"),
    path("privacy/datasets/", privacy.datasets, name="privacy-datasets"),
    path("accounts/manage/personal-data/", privacy.grant_reveal, name="privacy-grant"),
    path("accounts/manage/personal-data/<int:pk>/revoke/", privacy.revoke_reveal,
         name="privacy-revoke"),
    path("files/<int:pk>/", records.AttachmentDownloadView.as_view(), name="attachment"),
    path("", include("fangfan.standards.urls")),
    path("", include("fangfan.documents.urls")),
    path("", include("fangfan.organisation.urls")),
    path("", include("fangfan.inspections.urls")),
    path("", include("fangfan.alerts.urls")),
    path("", include("fangfan.emergency.urls")),
    path("", include("fangfan.incidents.urls")),
    path("", include("fangfan.duty.urls")),
    path("", include("fangfan.information.urls")),
    path("", include("fangfan.patrols.urls")),
    path("", include("fangfan.gate.urls")),
    path("", include("fangfan.core.urls")),
]
