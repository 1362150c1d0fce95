from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("neu/", views.report_create, name="create"),
    path("seit-letztem-bericht/", views.changes_since_last, name="changes_since_last"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/status/", views.report_status, name="status"),
    path("<int:pk>/erneut/", views.report_retry_view, name="retry"),
    path("runde/<int:pk>/abschliessen/", views.round_close_view, name="round_close"),
    path("<int:pk>/download/", views.report_download, name="download"),
    path("<int:pk>/veroeffentlichen/", views.report_publish_view, name="publish"),
    path("<int:pk>/zurueckziehen/", views.report_withdraw_view, name="withdraw"),
]
