from django.contrib import admin
from django.urls import include, path

from measures import views as measure_views

from . import views as account_views

urlpatterns = [
    path("", measure_views.overview, name="home"),
    path("massnahmen/", include("measures.urls")),
    path("kennzahlen/", include("kpis.urls")),
    path("berichte/", include("reports.urls")),
    path("runden/", include("rounds.urls")),
    path("import-export/", include("transfer.urls")),
    path("api/", include("api.urls")),
    path("oeffentlich/", include("public.urls")),
    path("admin/", admin.site.urls),
    # Anonymous machine interfaces: OParl 1.1 (/oparl/v1/) and open data (/offene-daten/).
    path("", include("opendata.urls")),
    # Sign-in remembers the reader's language for e-mails (masterplan.languages).
    path("konto/login/", account_views.LoginView.as_view(), name="login"),
    path("konto/profil/", include("api.account_urls")),
    path("konto/", include("django.contrib.auth.urls")),
    # Anonymous visitors may switch the language of the login page too.
    path("i18n/setlang/", account_views.set_language, name="set_language"),
]
# No URL serves MEDIA_ROOT, not even with DEBUG: report PDFs and import files are read through
# views that check who asks (reports:download), from whichever storage holds them.

admin.site.site_header = "Sachstand – Administration"
admin.site.site_title = "Sachstand"
admin.site.index_title = "Programmverwaltung"
