"""Who may see the report pages and ask for a report: every persona against every page.

Personas from tests/conftest.py. Retrying and downloading are in test_views.py.
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
    "reports:list": {p: OK for p in PERSONAS[:4]} | {"anonymous": LOGIN},
    "reports:create": {
        "admin": OK,
        "editor_1": FORBIDDEN,
        "editor_2": FORBIDDEN,
        "committee": OK,
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


# Publishing a done report on the public site (POST): admins only.
PUBLICATION_STEPS = {
    "reports:publish": {
        "admin": 302,
        "editor_1": FORBIDDEN,
        "editor_2": FORBIDDEN,
        "committee": FORBIDDEN,
        "anonymous": LOGIN,
    },
    "reports:withdraw": {
        "admin": 302,
        "editor_1": FORBIDDEN,
        "editor_2": FORBIDDEN,
        "committee": FORBIDDEN,
        "anonymous": LOGIN,
    },
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("step", list(PUBLICATION_STEPS))
def test_publication_steps(client, personas, programme, step, persona):
    from reports.models import ReportState, StatusReport

    report = StatusReport.objects.create(
        programme=programme, ds_number="1-26", report_date="2026-09-30", state=ReportState.DONE
    )
    login_as(client, personas, persona)
    response = client.post(reverse(step, args=[report.pk]))
    assert_outcome(response, PUBLICATION_STEPS[step][persona])
    assert client.get(reverse(step, args=[report.pk])).status_code in (302, 405)
