from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StandardsConfig(AppConfig):
    name = "fangfan.standards"
    label = "standards"
    verbose_name = _("Standards and compliance")

    def ready(self) -> None:
        from fangfan.standards import demo, records, signals, work  # noqa: F401

        post_migrate.connect(signals.install_shipped_packs, sender=self)
        signals.connect()
