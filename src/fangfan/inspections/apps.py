from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "fangfan.inspections"
    label = "inspections"
    verbose_name = _("Inspections and hazards")

    def ready(self) -> None:
        import fangfan.inspections.notice_records  # noqa: F401
        import fangfan.inspections.notice_work  # noqa: F401
        from fangfan.inspections import (  # noqa: F401
            demo,
            facts,
            gaps,
            records,
            tallies,
            tasks,
            work,
        )

        gaps.connect()
        tallies.connect()
