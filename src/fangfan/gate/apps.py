from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GateConfig(AppConfig):
    name = "fangfan.gate"
    label = "gate"
    verbose_name = _("Gate")

    def ready(self) -> None:
        from fangfan.gate import demo, facts, records, work  # noqa: F401
