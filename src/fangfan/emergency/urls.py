from django.urls import path

from fangfan.emergency import views

urlpatterns = [
    path("emergency-plans/<int:pk>/approve/", views.approve, name="plan-approve"),
    path("emergency-plans/<int:pk>/acknowledge/", views.acknowledge, name="plan-acknowledge"),
    path("drills/<int:pk>/hazard/", views.drill_hazard, name="drill-hazard"),
    path("drills/<int:pk>/revise-plan/", views.revise_plan, name="drill-revise-plan"),
    path("accounting-rounds/<int:pk>/count/", views.count, name="accounting-count"),
    path("accounting-rounds/<int:pk>/totals/", views.totals, name="accounting-totals"),
    path("accounting-rounds/<int:pk>/close/", views.close, name="accounting-close"),
]
