"""Everyone reads the OParl interface and the open data, signed in or not, and nobody writes:
every URL of `opendata` for every persona (tests/conftest.py)."""

import pytest
from django.urls import reverse

from opendata import urls as opendata_urls
from tests.conftest import OK, PERSONAS, assert_outcome, login_as

pytestmark = pytest.mark.django_db

# URL name -> the arguments of its URL (filled in per test); every name of opendata.urls.
PAGES = {
    "oparl_system": {},
    "oparl_bodies": {},
    "oparl_body": {"body": "programme"},
    "oparl_papers": {"body": "programme"},
    "oparl_files": {"body": "programme"},
    "oparl_empty_list": {"body": "programme", "kind": "personen"},
    "oparl_paper": {"pk": "report"},
    "oparl_file": {"pk": "report"},
    "oparl_file_access": {"pk": "report"},
    "oparl_file_download": {"pk": "report"},
    "catalogue": {},
    "catalogue_turtle": {},
    "catalogue_jsonld": {},
    "kpi_values_csv": {"programme": "programme"},
    "kpi_values_json": {"programme": "programme"},
}
METHOD_NOT_ALLOWED = 405


def test_the_matrix_covers_every_url():
    assert set(PAGES) == {pattern.name for pattern in opendata_urls.urlpatterns}


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_reads_and_nobody_writes(client, personas, public_programme, publish, persona):
    report = publish(public_programme)
    objects = {"programme": public_programme.pk, "report": report.pk, "personen": "personen"}
    login_as(client, personas, persona)
    for name, arguments in PAGES.items():
        url = reverse(f"opendata:{name}", kwargs={k: objects[v] for k, v in arguments.items()})
        assert_outcome(client.get(url), OK)
        assert client.head(url).status_code == OK, url
        assert client.post(url).status_code == METHOD_NOT_ALLOWED, url
