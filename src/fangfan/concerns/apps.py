from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConcernsConfig(AppConfig):
    name = "fangfan.concerns"
    label = "concerns"
    verbose_name = _("Persons-of-concern ledger")

    def ready(self) -> None:
        from fangfan.concerns import demo, facts, records, work  # noqa: F401
