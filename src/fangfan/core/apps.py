from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "fangfan.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from fangfan.core import changes, records  # noqa: F401  (registers Unit)
