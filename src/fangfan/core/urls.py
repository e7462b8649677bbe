"""Routes generated from the registry: every record type gets the same seven pages."""
from django.urls import include, path

from fangfan.core import registry
from fangfan.core.views import privacy
from fangfan.core.views import records as v

PAGES = [
    ("", v.RecordListView, "list"),
    ("add/", v.RecordCreateView, "add"),
    ("import/", v.RecordImportView, "import"),
    ("export/", v.RecordExportView, "export"),
    ("<int:pk>/", v.RecordDetailView, "detail"),
    ("<int:pk>/edit/", v.RecordEditView, "edit"),
    ("<int:pk>/delete/", v.RecordDeleteView, "delete"),
    ("<int:pk>/attach/", v.RecordAttachView, "attach"),
    ("<int:pk>/reveal/<str:field>/", privacy.RecordRevealView, "reveal"),
]


def record_patterns() -> list:
    patterns = []
    for rt in registry.record_types():
        for suffix, view, name in PAGES:
            patterns.append(path(f"{rt.slug}/{suffix}", view.as_view(),
                                 {"record_type": rt.slug}, name=f"{rt.slug}-{name}"))
    return patterns


urlpatterns = [path("", include((record_patterns(), "records")))]
