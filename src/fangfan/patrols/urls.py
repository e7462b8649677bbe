from django.urls import path

from fangfan.patrols import views

urlpatterns = [
    path("patrol/", views.patrol_home, name="patrol-home"),
    path("patrol/routes/<int:pk>/start/", views.start, name="patrol-start"),
    path("patrol/routes/<int:pk>/qr/", views.qr_sheet, name="patrol-qr"),
    path("patrol/rounds/<int:pk>/", views.round_page, name="patrol-round"),
    path("patrol/rounds/<int:pk>/finish/", views.finish, name="patrol-finish"),
    path("patrol/c/<str:code>/", views.checkpoint_link, name="patrol-checkpoint"),
]
