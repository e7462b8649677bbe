from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "fangfan.organisation"
    label = "organisation"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from fangfan.organisation import demo, facts, records, work  # noqa: F401
