"""The public pages: anonymous, only for public programmes, only approved status."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from masterplan.models import Programme
from reports.models import StatusReport

from .helpers import PDF, done_report

pytestmark = pytest.mark.django_db


def _urls(programme, number="1.1", report_pk=1):
    return [
        reverse("public:overview", args=[programme.pk]),
        reverse("public:measures", args=[programme.pk]),
        reverse("public:measure", args=[programme.pk, number]),
        reverse("public:embed", args=[programme.pk, number]),
        reverse("public:reports", args=[programme.pk]),
        reverse("public:report_file", args=[programme.pk, report_pk]),
    ]


def test_every_page_of_a_public_programme_opens_without_login(client, public_programme):
    report = done_report(public_programme, published=True)
    for url in [
        reverse("public:index"),
        reverse("public:accessibility"),
        *_urls(public_programme, report_pk=report.pk),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response, f"{url} starts no session"


def test_a_programme_not_made_public_answers_404_everywhere(client, programme):
    report = done_report(programme, published=True)
    assert not programme.is_public
    for url in _urls(programme, report_pk=report.pk):
        assert client.get(url).status_code == 404, url
    assert programme.name not in client.get(reverse("public:index")).content.decode()


def test_an_unknown_measure_answers_404(client, public_programme):
    assert (
        client.get(reverse("public:measure", args=[public_programme.pk, "9.9"])).status_code == 404
    )


def test_a_measure_without_approved_status_says_so(client, public_programme):
    page = client.get(reverse("public:measure", args=[public_programme.pk, "2.1"])).content.decode()
    assert "noch keinen freigegebenen Sachstand" in page


def test_the_list_filters_by_group_ampel_rating_and_search(client, public_programme):
    url = reverse("public:measures", args=[public_programme.pk])
    group_2 = public_programme.working_groups.get(number=2)
    page = client.get(url, {"group": group_2.pk}).content.decode()
    assert "/massnahmen/2.1/" in page and "/massnahmen/1.1/" not in page
    assert "/massnahmen/1.1/" not in client.get(url, {"ampel": "kritisch"}).content.decode()
    assert "/massnahmen/1.1/" in client.get(url, {"ampel": "keine"}).content.decode()
    assert client.get(url, {"cost": "hoch"}).status_code == 200
    searched = client.get(url, {"q": "Bring Your Own Device"}).content.decode()
    assert "/massnahmen/1.1/" in searched and "/massnahmen/2.1/" not in searched


def test_the_group_filter_offers_only_the_programmes_groups(client, public_programme):
    other = Programme.objects.create(name="Anderes Programm")
    other.working_groups.create(number=1, numeral="I", name="Fremde Gruppe")
    page = client.get(reverse("public:measures", args=[public_programme.pk])).content.decode()
    assert "Fremde Gruppe" not in page


def test_only_published_reports_are_listed_and_downloaded(client, public_programme):
    published = done_report(public_programme, ds_number="1-26", published=True)
    unpublished = done_report(public_programme, ds_number="2-26")
    withdrawn = done_report(public_programme, ds_number="3-26", published=True)
    StatusReport.objects.filter(pk=withdrawn.pk).update(withdrawn_at=timezone.now())

    listing = client.get(reverse("public:reports", args=[public_programme.pk])).content.decode()
    assert "1-26" in listing and "2-26" not in listing and "3-26" not in listing
    response = client.get(reverse("public:report_file", args=[public_programme.pk, published.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    for report in (unpublished, withdrawn):
        url = reverse("public:report_file", args=[public_programme.pk, report.pk])
        assert client.get(url).status_code == 404


def test_no_public_page_links_to_the_media_folder(client, public_programme):
    done_report(public_programme, published=True)
    listing = client.get(reverse("public:reports", args=[public_programme.pk])).content.decode()
    assert "/media/" not in listing


def test_the_embed_may_be_framed_by_no_one_by_default(client, public_programme):
    response = client.get(reverse("public:embed", args=[public_programme.pk, "1.1"]))
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    other = client.get(reverse("public:measure", args=[public_programme.pk, "1.1"]))
    assert other["X-Frame-Options"] == "DENY"


def test_the_embed_may_be_framed_by_the_configured_origins(client, public_programme, settings):
    settings.PUBLIC_EMBED_ORIGINS = ["https://www.dortmund.de", "https://intranet.example"]
    url = reverse("public:embed", args=[public_programme.pk, "1.1"])
    for _ in range(2):  # fresh, then from the cache
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "frame-ancestors https://www.dortmund.de https://intranet.example" in policy
        assert "script-src 'self'" in policy  # the rest of the site-wide policy stays
        assert "X-Frame-Options" not in response


def test_the_language_switch_works_without_a_csrf_token(public_programme):
    client = Client(enforce_csrf_checks=True)
    url = reverse("public:overview", args=[public_programme.pk])
    response = client.post(reverse("public:set_language"), {"language": "en", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url).content.decode()
    assert '<html lang="en">' in page
    assert "Working group" in page or "Overview" in page


def test_the_accessibility_statement_shows_the_configured_contact(client, db, settings):
    settings.PUBLIC_ACCESSIBILITY_EMAIL = "barrierefrei@stadtdo.example"
    settings.PUBLIC_ACCESSIBILITY_CONFORMANCE = "partial"
    settings.PUBLIC_ACCESSIBILITY_KNOWN_ISSUES = "Die Diagramme der Kennzahlen haben keine Tabelle."
    page = client.get(reverse("public:accessibility")).content.decode()
    assert "mailto:barrierefrei@stadtdo.example" in page
    assert "teilweise" in page
    assert "Die Diagramme der Kennzahlen haben keine Tabelle." in page
    assert "§ 10b" in page and "BITV 2.0" in page


def test_head_requests_are_answered_like_get(client, public_programme):
    url = reverse("public:measures", args=[public_programme.pk])
    response = client.head(url)
    assert response.status_code == 200
    assert response["ETag"] == client.get(url)["ETag"]
