"""What an anonymous caller of the API must never read: a distinctive text is planted in every
internal field (tests/api/conftest.py `world`); every answer of every resource, list and
detail, every page and the report files are searched for it."""

import json

import pytest

from tests.api.conftest import PUBLIC_ACHIEVED, PUBLIC_REASON, PUBLIC_REPORT, SECRETS

pytestmark = pytest.mark.django_db

RESOURCES = [
    "programmes",
    "working-groups",
    "measures",
    "goals",
    "kpis",
    "status-updates",
    "rounds",
    "reports",
]


def _crawl(client, **headers) -> dict[str, bytes]:
    """{url: body} of every list page, every item and every report file the caller reaches."""
    bodies = {}
    for resource in RESOURCES:
        url = f"/api/v1/{resource}/?page_size=20"
        while url:
            response = client.get(url, **headers)
            assert response.status_code == 200, (url, response.content[:300])
            bodies[url] = response.content
            page = response.json()
            for item in page["results"]:
                detail = f"/api/v1/{resource}/{item['id']}/"
                answer = client.get(detail, **headers)
                assert answer.status_code == 200, detail
                bodies[detail] = answer.content
                if item.get("file_url"):
                    file = client.get(item["file_url"], **headers)
                    assert file.status_code == 200
                    bodies[item["file_url"]] = b"".join(file.streaming_content)
            url = page["next"]
    return bodies


def _leaks(bodies: dict[str, bytes]) -> list[tuple[str, str]]:
    found = []
    for url, body in bodies.items():
        text = body.decode("utf-8", errors="replace")
        # The JSON escapes nothing of these texts, but decode it anyway in case it would.
        if body[:1] in (b"{", b"["):
            text += json.dumps(json.loads(body), ensure_ascii=False)
        found += [(name, url) for name, secret in SECRETS.items() if secret in text]
    return found


def test_no_internal_text_reaches_an_anonymous_caller(client, world):
    bodies = _crawl(client)
    assert _leaks(bodies) == []
    everything = b"".join(bodies.values()).decode()
    # The scan read real data: the approved, public texts are there.
    assert PUBLIC_ACHIEVED in everything
    assert PUBLIC_REASON in everything
    assert PUBLIC_REPORT in everything


def test_no_internal_text_in_the_schema_or_the_docs(client, world):
    for url in ["/api/schema/", "/api/schema/?format=json", "/api/docs/", "/api/docs/?script="]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _leaks({url: response.content}) == []


def test_anonymous_callers_read_public_programmes_only(client, world):
    programmes = client.get("/api/v1/programmes/").json()["results"]
    assert [p["id"] for p in programmes] == [world.programme.pk]
    hidden = world.hidden_programme
    assert client.get(f"/api/v1/programmes/{hidden.pk}/").status_code == 404
    measure = hidden.measures.get()
    assert client.get(f"/api/v1/measures/{measure.pk}/").status_code == 404
    # A filter on it is no error (which would tell it exists), just empty.
    assert client.get(f"/api/v1/measures/?programme={hidden.pk}").json()["count"] == 0


def test_a_non_public_programme_hides_everything_of_it(client, world):
    world.programme.is_public = False
    world.programme.save(update_fields=["is_public"])
    for resource in RESOURCES:
        assert client.get(f"/api/v1/{resource}/").json()["count"] == 0, resource


def test_anonymous_status_is_the_latest_approved_one_without_internal_fields(client, world):
    rows = client.get(f"/api/v1/status-updates/?measure={world.measure_internal.pk}").json()
    (status,) = rows["results"]
    assert status["round"] == world.closed_round.pk
    assert status["achieved"] == PUBLIC_ACHIEVED
    assert status["traffic_light"] == "gefaehrdet"
    assert status["traffic_light_reason"] == ""  # marked internal by its author
    assert status["decision_needed"] is None
    assert status["state"] is None
    assert status["updated_at"] is None
    # The running round's submitted update is not approved: not there, not even by id.
    submitted = world.running_round.updates.get(measure=world.measure_internal)
    assert client.get(f"/api/v1/status-updates/{submitted.pk}/").status_code == 404
    assert client.get(f"/api/v1/rounds/{world.running_round.pk}/").status_code == 404


def test_anonymous_callers_download_published_reports_only(client, world):
    assert client.get(f"/api/v1/reports/{world.public_report.pk}/file/").status_code == 200
    unpublished = world.unpublished_report
    assert client.get(f"/api/v1/reports/{unpublished.pk}/").status_code == 404
    assert client.get(f"/api/v1/reports/{unpublished.pk}/file/").status_code == 404


def test_the_report_link_goes_through_the_api_not_the_media_url(client, world, settings):
    (report,) = client.get("/api/v1/reports/").json()["results"]
    assert report["file_url"].endswith(f"/api/v1/reports/{world.public_report.pk}/file/")
    assert settings.MEDIA_URL not in report["file_url"]
