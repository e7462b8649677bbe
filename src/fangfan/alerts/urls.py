from django.urls import path

from fangfan.alerts import views

urlpatterns = [
    path("alerts/", views.in_force, name="alerts-in-force"),
    path("alerts/measures/<int:pk>/report/", views.report, name="alert-measure-report"),
    path("alerts/units/<int:pk>/acknowledge/", views.acknowledge, name="alert-acknowledge"),
    path("alerts/levels/<int:pk>/live/", views.live_table, name="alert-live"),
    path("alerts/levels/<int:pk>/level/", views.change_level, name="alert-change-level"),
    path("alerts/levels/<int:pk>/stand-down/", views.stand_down, name="alert-stand-down"),
]
