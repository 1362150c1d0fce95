from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from masterplan.security import data_images_allowed

from . import docs, views

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("programmes", views.ProgrammeViewSet, basename="programme")
router.register("working-groups", views.WorkingGroupViewSet, basename="working-group")
router.register("measures", views.MeasureViewSet, basename="measure")
router.register("goals", views.GoalViewSet, basename="goal")
router.register("kpis", views.KPIViewSet, basename="kpi")
router.register("status-updates", views.StatusUpdateViewSet, basename="status-update")
router.register("rounds", views.RoundViewSet, basename="round")
router.register("reports", views.ReportViewSet, basename="report")

# The API answers anonymous callers itself (public data); the staff login does not apply.
for pattern in router.urls:
    login_not_required(pattern.callback)

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path(
        "docs/",
        login_not_required(data_images_allowed(docs.SwaggerView.as_view(url_name="api:schema"))),
        name="docs",
    ),
]
