from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InformationConfig(AppConfig):
    name = "fangfan.information"
    label = "information"
    verbose_name = _("Information, meetings and training")

    def ready(self) -> None:
        from fangfan.information import (  # noqa: F401
            demo,
            facts,
            records,
            services,
            tasks,
            work,
        )
