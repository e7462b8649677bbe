from django.urls import path

from fangfan.gate import views

urlpatterns = [
    path("visits/<int:pk>/confirm/", views.confirm, name="visit-confirm"),
    path("visits/<int:pk>/approve/", views.approve, name="visit-approve"),
    path("visits/<int:pk>/check-in/", views.check_in, name="visit-check-in"),
    path("visits/<int:pk>/check-out/", views.check_out, name="visit-check-out"),
    path("visits/<int:pk>/cancel/", views.cancel, name="visit-cancel"),
    path("visits/<int:pk>/pass/", views.visit_pass, name="visit-pass"),
    path("gate-passes/<int:pk>/print/", views.gate_pass, name="gate-pass-print"),
    path("visit/<str:token>/", views.public_request, name="visitor-request"),
]
