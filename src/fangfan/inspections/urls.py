from django.urls import path

from fangfan.inspections import views

urlpatterns = [
    path("inspection-items/<int:pk>/check/", views.check_item, name="inspection-item-check"),
    path("inspections/<int:pk>/finish/", views.finish, name="inspection-finish"),
    path("hazards/board/", views.hazard_board, name="hazard-board"),
    path("hazards/board/<slug:code>/", views.hazard_board, name="hazard-board-unit"),
]
