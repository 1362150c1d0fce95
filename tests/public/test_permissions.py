"""The public pages, every persona: everyone reads them, signed in or not, and none of them
shows who is signed in. Publishing is in test_publish.py (admins only)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import OK, PERSONAS, assert_outcome, login_as

from .helpers import done_report

pytestmark = pytest.mark.django_db

# URL name -> arguments (programme pk, then the rest), every persona: 200
PAGES = {
    "public:index": (),
    "public:accessibility": (),
    "public:overview": ("programme",),
    "public:measures": ("programme",),
    "public:measure": ("programme", "1.1"),
    "public:embed": ("programme", "1.1"),
    "public:reports": ("programme",),
    "public:report_file": ("programme", "report"),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", list(PAGES))
def test_everyone_reads_the_public_pages(client, personas, public_programme, page, persona):
    report = done_report(public_programme, published=True)
    values = {"programme": public_programme.pk, "report": report.pk}
    url = reverse(page, args=[values.get(arg, arg) for arg in PAGES[page]])
    login_as(client, personas, persona)
    response = client.get(url)
    assert_outcome(response, OK)
    if not response.streaming:
        user = personas[persona]
        assert user is None or user.username not in response.content.decode()


def test_the_language_switch_answers_everyone(client, personas, public_programme):
    for persona in PERSONAS:
        login_as(client, personas, persona)
        response = client.post(reverse("public:set_language"), {"language": "en", "next": "/"})
        assert response.status_code == 302


def test_the_demo_data_makes_the_seed_programme_public(programme, client):
    call_command("create_demo_accounts", stdout=StringIO())
    programme.refresh_from_db()
    assert programme.is_public
    assert client.get(reverse("public:overview", args=[programme.pk])).status_code == 200
