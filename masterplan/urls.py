from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index"), name="home"),
    path("massnahmen/", include("measures.urls")),
    path("berichte/", include("reports.urls")),
    path("import-export/", include("transfer.urls")),
    path("admin/", admin.site.urls),
    path("konto/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

admin.site.site_header = "Sachstand – Administration"
admin.site.site_title = "Sachstand"
admin.site.index_title = "Programmverwaltung"
