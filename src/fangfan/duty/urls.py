from django.urls import path

from fangfan.duty import views

urlpatterns = [
    path("duty/<slug:code>/week/", views.week, name="duty-week"),
    path("duty/<slug:code>/copy-week/", views.copy_week, name="duty-copy-week"),
    path("duty/<slug:code>/leaders/", views.leaders, name="duty-leaders"),
    path("duty/mine/", views.mine, name="duty-mine"),
    path("duty/school-guard-posts/<int:pk>/sign-in/", views.sign_in,
         name="duty-sign-in"),
    path("duty/handover-items/<int:pk>/close/", views.close_item, name="duty-close-item"),
]
