from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutyConfig(AppConfig):
    name = "fangfan.duty"
    label = "duty"
    verbose_name = _("Duty roster, handover and school-guard posts")

    def ready(self) -> None:
        from fangfan.duty import demo, facts, records, work  # noqa: F401
