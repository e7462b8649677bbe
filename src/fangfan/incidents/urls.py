from django.urls import path

from fangfan.incidents import hooks, views

urlpatterns = [
    path("hooks/alarm/<int:device_id>/", hooks.alarm, name="alarm-hook"),
    path("incidents/<int:pk>/accounting/", views.start_accounting, name="incident-accounting"),
    path("incidents/<int:pk>/report.docx", views.report_docx, name="incident-report"),
]
