from django.urls import path

from fangfan.standards import views

urlpatterns = [
    path("compliance/", views.unit_compliance, name="compliance"),
    path("compliance/<slug:code>/", views.unit_compliance, name="compliance-unit"),
    path("compliance/<slug:code>/refresh/", views.refresh, name="compliance-refresh"),
    path("compliance/<slug:code>/overview/", views.overview, name="compliance-overview"),
    path("gaps/", views.gap_matrix, name="gap-matrix"),
    path("compliance/<slug:code>/matrix/", views.gap_matrix, name="compliance-matrix"),
    path("calendar/", views.obligation_calendar, name="calendar"),
    path("calendar/<slug:code>/", views.obligation_calendar, name="calendar-unit"),
]
