from django.urls import path

from . import views

app_name = "opendata"

urlpatterns = [
    # OParl 1.1: the System is the entry point; ids are these URLs under SITE_URL.
    path("oparl/v1/", views.oparl_system, name="oparl_system"),
    path("oparl/v1/bodies/", views.oparl_bodies, name="oparl_bodies"),
    path("oparl/v1/body/<int:body>/", views.oparl_body, name="oparl_body"),
    path("oparl/v1/body/<int:body>/papers/", views.oparl_papers, name="oparl_papers"),
    path("oparl/v1/body/<int:body>/files/", views.oparl_files, name="oparl_files"),
    path("oparl/v1/body/<int:body>/<slug:kind>/", views.oparl_empty_list, name="oparl_empty_list"),
    path("oparl/v1/paper/<int:pk>/", views.oparl_paper, name="oparl_paper"),
    path("oparl/v1/file/<int:pk>/", views.oparl_file, name="oparl_file"),
    path("oparl/v1/file/<int:pk>/access/", views.oparl_file_access, name="oparl_file_access"),
    path("oparl/v1/file/<int:pk>/download/", views.oparl_file_download, name="oparl_file_download"),
    # Open data (DCAT-AP.de)
    path("offene-daten/katalog", views.catalogue, name="catalogue"),
    path("offene-daten/katalog.ttl", views.catalogue_turtle, name="catalogue_turtle"),
    path("offene-daten/katalog.jsonld", views.catalogue_jsonld, name="catalogue_jsonld"),
    path(
        "offene-daten/programm/<int:programme>/kennzahlen.csv",
        views.kpi_values_csv_view,
        name="kpi_values_csv",
    ),
    path(
        "offene-daten/programm/<int:programme>/kennzahlen.json",
        views.kpi_values_json_view,
        name="kpi_values_json",
    ),
]
