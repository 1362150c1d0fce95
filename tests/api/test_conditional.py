"""ETags and conditional GET: an unchanged answer costs a 304 without body."""

import pytest

from rounds.models import UpdateAction
from rounds.services import update_save, update_transition

pytestmark = pytest.mark.django_db

URLS = ["/api/v1/measures/", "/api/v1/status-updates/", "/api/v1/programmes/{programme}/"]


@pytest.mark.parametrize("url", URLS)
def test_an_unchanged_answer_is_304_without_body(client, world, url):
    url = url.format(programme=world.programme.pk)
    first = client.get(url)
    etag = first["ETag"]
    assert etag.startswith('"') and len(etag) > 10
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_the_etag_depends_on_who_asks(client, world, committee_member, bearer):
    anonymous = client.get("/api/v1/status-updates/")
    staff = client.get("/api/v1/status-updates/", **bearer(committee_member))
    assert anonymous["ETag"] != staff["ETag"]
    assert "Authorization" in anonymous["Vary"] and "Cookie" in anonymous["Vary"]
    assert staff["Cache-Control"].startswith("private")
    assert anonymous["Cache-Control"].startswith("public")


def test_an_approval_changes_the_etag(client, world, django_capture_on_commit_callbacks):
    before = client.get("/api/v1/status-updates/")["ETag"]
    update = world.running_round.updates.get(measure=world.measure_internal)  # submitted
    with django_capture_on_commit_callbacks(execute=False):
        update_transition(update=update, action=UpdateAction.APPROVE, by=world.editor)
    after = client.get("/api/v1/status-updates/", HTTP_IF_NONE_MATCH=before)
    assert after.status_code == 200
    assert after["ETag"] != before


def test_an_unapproved_change_leaves_the_public_etag_alone(client, world):
    before = client.get("/api/v1/status-updates/")["ETag"]
    draft = world.running_round.updates.get(measure=world.measure_public)
    version = draft.version
    update_save(update=draft, data={"achieved": "Neu"}, expected_version=version, by=world.editor)
    assert client.get("/api/v1/status-updates/", HTTP_IF_NONE_MATCH=before).status_code == 304


def test_errors_carry_no_etag(client, world):
    assert not client.get("/api/v1/measures/999999/").has_header("ETag")
