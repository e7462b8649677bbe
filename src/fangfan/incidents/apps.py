from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "fangfan.incidents"
    label = "incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        from fangfan.incidents import demo, records, work  # noqa: F401
