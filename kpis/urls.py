from django.urls import path

from . import views

app_name = "kpis"

urlpatterns = [
    path("<int:pk>/werte/", views.kpi_value_add, name="value_add"),
    path("werte/<int:pk>/loeschen/", views.kpi_value_delete_view, name="value_delete"),
]
