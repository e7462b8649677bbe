from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyConfig(AppConfig):
    name = "fangfan.emergency"
    label = "emergency"
    verbose_name = _("Emergency plans and drills")

    def ready(self) -> None:
        from fangfan.emergency import demo, facts, records, work  # noqa: F401
