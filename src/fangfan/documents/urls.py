from django.urls import path

from fangfan.documents import views

urlpatterns = [
    path("documents/", views.documents, name="documents"),
    path("documents/<slug:code>/", views.documents, name="documents-unit"),
    path("documents/<slug:code>/work-plan.docx", views.work_plan, name="work-plan"),
]
