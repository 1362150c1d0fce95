from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("", views.index, name="index"),
    path("barrierefreiheit/", views.accessibility, name="accessibility"),
    path("sprache/", views.set_language, name="set_language"),
    path("<int:programme>/", views.programme_overview, name="overview"),
    path("<int:programme>/massnahmen/", views.measure_list, name="measures"),
    path("<int:programme>/massnahmen/<str:number>/", views.measure_detail, name="measure"),
    path(
        "<int:programme>/massnahmen/<str:number>/einbetten/",
        views.measure_embed,
        name="embed",
    ),
    path("<int:programme>/berichte/", views.report_list, name="reports"),
    path("<int:programme>/berichte/<int:pk>/pdf/", views.report_download, name="report_file"),
]
