from django.urls import path

from fangfan.organisation import views

urlpatterns = [
    path("duty-matrix/", views.duty_matrix, name="duty-matrix"),
    path("duty-matrix/<slug:code>/", views.duty_matrix, name="duty-matrix-unit"),
]
