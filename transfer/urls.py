from django.urls import path

from . import round_views, views

app_name = "transfer"

urlpatterns = [
    path("", views.index, name="index"),
    path("import/", views.import_upload, name="import"),
    path("import/protokoll/", views.run_list, name="runs"),
    path("import/<int:pk>/", views.run_detail, name="run"),
    path("import/<int:pk>/status/", views.run_status, name="run-status"),
    path("import/<int:pk>/bestaetigen/", views.run_confirm, name="run-confirm"),
    path("import/<int:pk>/verwerfen/", views.run_discard, name="run-discard"),
    path("import/<int:pk>/erneut-pruefen/", views.run_retry, name="run-retry"),
    path("export/programm.xlsx", views.export_workbook, name="export-workbook"),
    path("export/programm.ods", views.export_workbook_ods, name="export-workbook-ods"),
    path("export/<str:kind>.csv", views.export_csv, name="export-csv"),
    path("vorlage.xlsx", views.export_template, name="template"),
    path(
        "runde/<int:pk>/meldungen.xlsx",
        round_views.round_updates_download,
        name="round-updates-export",
    ),
    path(
        "runde/<int:pk>/meldungen/", round_views.round_updates_upload, name="round-updates-import"
    ),
    path("vorlage.ods", views.export_template_ods, name="template-ods"),
]
