from django.urls import path

from . import views

app_name = "rounds"
urlpatterns = [
    path("", views.round_list, name="list"),
    path("neu/", views.round_new, name="new"),
    path("<int:pk>/", views.round_detail, name="detail"),
    path("<int:pk>/<slug:step>/", views.round_step, name="step"),
    path("meldung/<int:pk>/", views.update_detail, name="update"),
    path("meldung/<int:pk>/ziele/", views.update_goals, name="update_goals"),
    path("meldung/<int:pk>/kennzahlen/", views.update_kpis, name="update_kpis"),
    path("meldung/<int:pk>/<slug:action>/", views.update_transition_view, name="transition"),
    path("aufgaben/", views.my_tasks, name="tasks"),
    path("massnahme/<int:measure_pk>/", views.measure_part, name="measure_part"),
    path("uebersicht/", views.overview_part, name="overview_part"),
]
