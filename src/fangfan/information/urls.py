from django.urls import path

from fangfan.information import views

urlpatterns = [
    path("reporting-windows/<int:pk>/fill/", views.fill, name="information-window-fill"),
    path("reporting-windows/<int:pk>/roll-up/", views.roll_up,
         name="information-window-roll-up"),
    path("reporting-windows/<int:pk>/roll-up.xlsx", views.roll_up_xlsx,
         name="information-window-roll-up-xlsx"),
    path("statistics/annex-4.xlsx", views.annex4_xlsx, name="information-annex4"),
    path("statistics/<slug:code>/annex-4.xlsx", views.annex4_xlsx,
         name="information-annex4-unit"),
    path("training/hours/", views.training_hours, name="information-training-hours"),
    path("training/hours/<slug:code>/", views.training_hours,
         name="information-training-hours-unit"),
]
