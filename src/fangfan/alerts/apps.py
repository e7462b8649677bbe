from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "fangfan.alerts"
    label = "alerts"
    verbose_name = _("Alert levels")

    def ready(self) -> None:
        from fangfan.alerts import demo, facts, records, tasks, work  # noqa: F401
