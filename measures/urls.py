from django.urls import path

from . import views

app_name = "measures"

urlpatterns = [
    path("", views.measure_list, name="list"),
    path("neu/", views.measure_new, name="new"),
    path("<int:pk>/", views.measure_detail, name="detail"),
    path("<int:pk>/bearbeiten/", views.measure_edit, name="edit"),
    path(
        "<int:pk>/verlauf/<int:record_pk>/wiederherstellen/",
        views.measure_restore_view,
        name="restore",
    ),
]
