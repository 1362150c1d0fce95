"""Who reaches the account page and the API's own pages: every persona against every URL name
of the api app (the API's answers per caller are in test_hiding.py and test_roles.py)."""

import pytest
from django.urls import reverse

from api.services import api_token_create
from tests.conftest import LOGIN, OK, PERSONAS, assert_outcome, login_as

pytestmark = pytest.mark.django_db

EVERYONE = dict.fromkeys(PERSONAS, OK)
STAFF = {p: OK for p in PERSONAS[:4]} | {"anonymous": LOGIN}

# URL name -> persona -> expected outcome of a GET
READ_PAGES = {
    "profile": STAFF,
    "api:schema": EVERYONE,
    "api:docs": EVERYONE,
    **{
        f"api:{name}-list": EVERYONE
        for name in [
            "programme",
            "working-group",
            "measure",
            "goal",
            "kpi",
            "status-update",
            "round",
            "report",
        ]
    },
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", list(READ_PAGES))
def test_page_access(client, personas, programme, page, persona):
    url = reverse(page)
    login_as(client, personas, persona)
    assert_outcome(client.get(url), READ_PAGES[page][persona])


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("editor_1", 302),
        ("editor_2", 404),
        ("admin", 404),
        ("committee", 404),
        ("anonymous", LOGIN),
    ],
)
def test_revoking_a_token_only_its_owner(client, personas, persona, expected):
    token = api_token_create(user=personas["editor_1"], name="x").token
    login_as(client, personas, persona)
    response = client.post(reverse("api_token_revoke", args=[token.pk]))
    if expected == LOGIN:
        assert_outcome(response, LOGIN)
    else:
        assert response.status_code == expected
    token.refresh_from_db()
    assert (token.revoked_at is not None) == (expected == 302)


def test_revoking_needs_post(client, personas):
    token = api_token_create(user=personas["editor_1"], name="x").token
    login_as(client, personas, "editor_1")
    assert client.get(reverse("api_token_revoke", args=[token.pk])).status_code == 405


@pytest.mark.parametrize(
    "name",
    ["programme", "working-group", "measure", "goal", "kpi", "status-update", "round", "report"],
)
def test_detail_and_file_urls_answer_404_for_what_does_not_exist(client, programme, name):
    assert client.get(reverse(f"api:{name}-detail", args=[999999])).status_code == 404
    if name == "report":
        assert client.get(reverse("api:report-file", args=[999999])).status_code == 404
