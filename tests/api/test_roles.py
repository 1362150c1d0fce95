"""What staff read through the API with their personal token: what their role may read.

Everyone signed in reads every programme, measure, round and update (as on the staff pages);
the internal fields (Entscheidungsbedarf, a reason marked internal) only the steering
committee and admins. Nobody reads an editor's name or e-mail address through the API.
"""

import pytest

from tests.api.conftest import SECRETS

pytestmark = pytest.mark.django_db


def _updates(client, headers, measure):
    response = client.get(f"/api/v1/status-updates/?measure={measure.pk}&page_size=200", **headers)
    assert response.status_code == 200
    return {row["round"]: row for row in response.json()["results"]}


@pytest.mark.parametrize("persona", ["committee", "admin"])
def test_committee_and_admins_read_the_internal_fields(client, world, personas, bearer, persona):
    headers = bearer(personas[persona])
    rows = _updates(client, headers, world.measure_internal)
    approved = rows[world.closed_round.pk]
    assert approved["decision_needed"] == SECRETS["decision_needed"]
    assert approved["traffic_light_reason"] == SECRETS["internal_reason"]
    assert approved["traffic_light_reason_internal"] is True
    assert approved["state"] == "freigegeben"


def test_editors_read_every_update_but_not_the_internal_fields(client, world, personas, bearer):
    headers = bearer(personas["editor_2"])
    rows = _updates(client, headers, world.measure_internal)
    approved, submitted = rows[world.closed_round.pk], rows[world.running_round.pk]
    assert approved["decision_needed"] is None
    assert approved["traffic_light_reason"] is None
    assert approved["traffic_light_reason_internal"] is None
    # Staff read unapproved updates, marked by their state.
    assert submitted["achieved"] == SECRETS["unapproved"]
    assert submitted["state"] == "eingereicht" and submitted["approved"] is False
    public = _updates(client, headers, world.measure_public)[world.closed_round.pk]
    assert public["traffic_light_reason"] != ""  # a public reason is not internal


def test_staff_read_non_public_programmes_and_unpublished_reports(client, world, personas, bearer):
    headers = bearer(personas["editor_1"])
    programmes = client.get("/api/v1/programmes/", **headers).json()["results"]
    assert {p["name"] for p in programmes} >= {SECRETS["hidden_programme"]}
    report = world.unpublished_report
    assert client.get(f"/api/v1/reports/{report.pk}/", **headers).status_code == 200
    download = client.get(f"/api/v1/reports/{report.pk}/file/", **headers)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    running = client.get(f"/api/v1/rounds/{world.running_round.pk}/", **headers).json()
    assert running["state"] == "offen" and running["update_deadline"] == "2026-10-15"


@pytest.mark.parametrize("persona", ["admin", "editor_1", "committee"])
def test_no_caller_reads_editor_names_or_e_mail_addresses(client, world, personas, bearer, persona):
    headers = bearer(personas[persona])
    text = ""
    for resource in ["measures", "goals", "kpis", "status-updates", "rounds", "reports"]:
        url = f"/api/v1/{resource}/?page_size=200"
        while url:
            page = client.get(url, **headers)
            text += page.content.decode()
            url = page.json()["next"]
    for field in ["editor_first_name", "editor_last_name", "editor_username", "editor_email"]:
        assert SECRETS[field] not in text
    assert "@example.org" not in text
    # Nor the change history: the comment of the return is only in it.
    assert SECRETS["history"] not in text


def test_a_session_reads_as_its_user_too(client, world, committee_member):
    """The docs page's "try it out" for signed-in staff."""
    client.force_login(committee_member)
    rows = _updates(client, {}, world.measure_internal)
    assert rows[world.closed_round.pk]["decision_needed"] == SECRETS["decision_needed"]


def test_the_api_writes_nothing(client, world, personas, bearer):
    headers = bearer(personas["admin"])
    for method in ["post", "put", "patch", "delete"]:
        url = f"/api/v1/measures/{world.measure_public.pk}/"
        response = getattr(client, method)(url, **headers)
        assert response.status_code == 405, method
