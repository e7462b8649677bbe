from django.urls import path

from fangfan.inspections import downloads, views

urlpatterns = [
    path("inspection-items/<int:pk>/check/", views.check_item, name="inspection-item-check"),
    path("inspections/<int:pk>/finish/", views.finish, name="inspection-finish"),
    path("hazards/board/", views.hazard_board, name="hazard-board"),
    path("hazards/board/<slug:code>/", views.hazard_board, name="hazard-board-unit"),
    path("hazards/<int:pk>/notice.docx", downloads.notice, name="hazard-notice"),
    path("hazards/<int:pk>/verification.docx", downloads.verification,
         name="hazard-verification"),
    path("hazards/ledgers/", downloads.ledger_page, name="hazard-ledgers"),
    path("hazards/ledgers/<slug:code>/", downloads.ledger_page, name="hazard-ledgers-unit"),
    path("hazards/ledgers/<slug:code>/register.xlsx", downloads.register_xlsx,
         name="hazard-register-xlsx"),
    path("hazards/ledgers/<slug:code>/four-lists.xlsx", downloads.four_lists_xlsx,
         name="hazard-four-lists-xlsx"),
]
