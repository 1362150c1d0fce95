"""Who may export and import: every persona against every transfer page and the upload.

Personas from tests/conftest.py. Everyone may export what they can read; importing is for
admins.
"""

import pytest
from django.urls import reverse

from tests.conftest import FORBIDDEN, LOGIN, OK, PERSONAS, assert_outcome, login_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(small_programme):
    """Not about the seed: some programme with some measures, built from factories."""
    return small_programme


# URL name -> persona -> expected outcome of a GET
READ_PAGES = {
    "transfer:index": {p: OK for p in PERSONAS[:4]} | {"anonymous": LOGIN},
    "transfer:runs": {
        "admin": OK,
        "editor_1": FORBIDDEN,
        "editor_2": FORBIDDEN,
        "committee": FORBIDDEN,
        "anonymous": LOGIN,
    },
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", list(READ_PAGES))
def test_page_access(client, personas, programme, page, persona):
    # A page missing from the URLconf fails here (NoReverseMatch): the matrix never skips.
    url = reverse(page)
    login_as(client, personas, persona)
    assert_outcome(client.get(url), READ_PAGES[page][persona])


IMPORT_POST = {
    "admin": 400,  # allowed, but the empty upload is refused with a message
    "editor_1": FORBIDDEN,
    "editor_2": FORBIDDEN,
    "committee": FORBIDDEN,
    "anonymous": LOGIN,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_import_post(client, personas, programme, persona):
    login_as(client, personas, persona)
    response = client.post(reverse("transfer:import"), {})
    assert_outcome(response, IMPORT_POST[persona])
