from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolsConfig(AppConfig):
    name = "fangfan.patrols"
    label = "patrols"
    verbose_name = _("Patrols")

    def ready(self) -> None:
        from fangfan.patrols import demo, facts, records, tasks, work  # noqa: F401
