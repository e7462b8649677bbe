from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "fangfan.resources"
    label = "resources"
    verbose_name = _("People and resources")

    def ready(self) -> None:
        from fangfan.resources import demo, facts, records, tasks, work  # noqa: F401
