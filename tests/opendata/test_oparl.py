"""OParl 1.1: the System leads to a Body per public programme, each published report is a Paper
with its PDF as a File, a withdrawn report answers as a deleted object, lists are paginated."""

import hashlib
import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from opendata.files import report_files_read
from opendata.models import ReportFileFacts
from tests.factories import ProgrammeFactory

from .conftest import crawl

pytestmark = pytest.mark.django_db

SCHEMA = "https://schema.oparl.org/1.1/"
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")


def get_json(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    return json.loads(response.content)


def path_of(url: str, site_url: str) -> str:
    assert url.startswith(site_url), url
    return url.removeprefix(site_url)


def test_the_system_leads_to_the_body_of_each_public_programme(client, site_url, public_programme):
    ProgrammeFactory(name="Internes Programm")  # not public: no body
    system = get_json(client, "/oparl/v1/")
    assert system["id"] == f"{site_url}/oparl/v1/"
    assert system["type"] == SCHEMA + "System"
    assert system["oparlVersion"] == SCHEMA
    assert system["license"] == "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
    assert DATE_TIME.match(system["created"]) and DATE_TIME.match(system["modified"])

    bodies = get_json(client, path_of(system["body"], site_url))
    assert [body["shortName"] for body in bodies["data"]] == [public_programme.name]
    body = bodies["data"][0]
    assert body == get_json(client, path_of(body["id"], site_url))
    assert body["type"] == SCHEMA + "Body"
    assert body["name"] == f"Stadt Dortmund – {public_programme.name}"
    assert body["legislativeTerm"] == []
    for key in ("organization", "person", "meeting", "agendaItem", "consultation", "file",
                "locationList", "legislativeTermList", "membership", "paper"):  # fmt: skip
        listing = get_json(client, path_of(body[key], site_url))
        assert set(listing) == {"data", "pagination", "links"}, key
    assert get_json(client, path_of(body["organization"], site_url))["data"] == []


def test_a_published_report_is_a_paper_with_its_pdf_as_file(
    client, site_url, public_programme, publish, seed_pdf
):
    report = publish(public_programme, ds_number="15160-19")
    paper = get_json(client, f"/oparl/v1/paper/{report.pk}/")

    assert paper["id"] == f"{site_url}/oparl/v1/paper/{report.pk}/"
    assert paper["type"] == SCHEMA + "Paper"
    assert paper["body"] == f"{site_url}/oparl/v1/body/{public_programme.pk}/"
    assert paper["reference"] == "15160-19"
    assert paper["name"] == "Anhang zum Sachstandsbericht"
    assert paper["date"] == "2020-03-01"
    assert paper["paperType"] == "Mitteilung"
    assert DATE_TIME.match(paper["created"]) and DATE_TIME.match(paper["modified"])
    assert "deleted" not in paper

    file = paper["mainFile"]
    assert file["id"] == f"{site_url}/oparl/v1/file/{report.pk}/"
    assert file["type"] == SCHEMA + "File"
    assert file["name"] == "Anhang zum Sachstandsbericht"
    assert file["fileName"] == "Sachstandsbericht_15160-19.pdf"
    assert file["mimeType"] == "application/pdf"
    assert file["date"] == "2020-03-01"
    assert file["size"] == len(seed_pdf)
    assert file["sha512Checksum"] == hashlib.sha512(seed_pdf).hexdigest()
    assert file["license"] == file["fileLicense"] == "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
    assert DATE_TIME.match(file["created"]) and DATE_TIME.match(file["modified"])
    # The PDF's plain text: the measures as the report prints them.
    first_title = public_programme.measures.in_number_order().first().title
    assert " ".join(first_title.split()[:3]) in " ".join(file["text"].split())
    assert "paper" not in file  # no back reference inside the paper that embeds it

    alone = get_json(client, path_of(file["id"], site_url))
    assert alone["paper"] == [paper["id"]]
    assert {key: value for key, value in alone.items() if key != "paper"} == file


def test_the_access_url_shows_the_pdf_inline_and_the_download_url_as_attachment(
    client, site_url, public_programme, publish, seed_pdf
):
    report = publish(public_programme)
    file = get_json(client, f"/oparl/v1/file/{report.pk}/")

    access = client.get(path_of(file["accessUrl"], site_url))
    assert access.status_code == 200
    assert b"".join(access.streaming_content) == seed_pdf
    assert access["Content-Type"] == "application/pdf"
    assert "attachment" not in access.get("Content-Disposition", "")
    assert int(access["Content-Length"]) == len(seed_pdf)

    download = client.get(path_of(file["downloadUrl"], site_url))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == seed_pdf
    assert download["Content-Disposition"] == (
        'attachment; filename="Sachstandsbericht_15160-19.pdf"'
    )

    # Conditional GET (recommended for files by OParl 2.7).
    again = client.get(path_of(file["accessUrl"], site_url), HTTP_IF_NONE_MATCH=access["ETag"])
    assert again.status_code == 304


def test_the_text_is_read_once_and_kept(client, public_programme, publish, seed_pdf):
    report = publish(public_programme, read=True)
    get_json(client, f"/oparl/v1/paper/{report.pk}/")
    facts = ReportFileFacts.objects.get(report=report)
    assert facts.file_name == report.file.name
    assert facts.size == len(seed_pdf)
    assert facts.sha512 == hashlib.sha512(seed_pdf).hexdigest()
    assert "Anhang zum Sachstandsbericht" in facts.text
    ReportFileFacts.objects.filter(pk=facts.pk).update(text="Aus dem Zwischenspeicher")
    assert get_json(client, f"/oparl/v1/file/{report.pk}/")["text"] == "Aus dem Zwischenspeicher"


def test_a_withdrawn_report_answers_as_a_deleted_object(
    client, site_url, public_programme, publish
):
    report = publish(public_programme)
    paper_before = get_json(client, f"/oparl/v1/paper/{report.pk}/")
    report.withdrawn_at = timezone.now() + timedelta(seconds=5)
    report.save(update_fields=["withdrawn_at"])

    paper = get_json(client, f"/oparl/v1/paper/{report.pk}/")  # still 200 (OParl 2.8)
    assert paper == {
        "id": paper_before["id"],
        "type": SCHEMA + "Paper",
        "created": paper_before["created"],
        "modified": paper["modified"],
        "deleted": True,
    }
    assert paper["modified"] > paper_before["modified"]
    file = get_json(client, f"/oparl/v1/file/{report.pk}/")
    assert file["deleted"] is True
    assert set(file) == {"id", "type", "created", "modified", "deleted"}
    assert client.get(f"/oparl/v1/file/{report.pk}/access/").status_code == 410
    assert client.get(f"/oparl/v1/file/{report.pk}/download/").status_code == 410

    papers = f"/oparl/v1/body/{public_programme.pk}/papers/"
    assert get_json(client, papers)["data"] == []  # deleted objects only for modified_since
    since = (timezone.now() - timedelta(hours=1)).isoformat(timespec="seconds")
    update = get_json(client, papers + "?modified_since=" + since.replace("+", "%2B"))
    assert update["data"] == [paper]


def test_what_is_not_public_is_not_found(client, public_programme, publish):
    unpublished = publish(public_programme, published=False)
    assert get_json(client, f"/oparl/v1/paper/{unpublished.pk}/", 404)["type"] == SCHEMA + "Error"
    assert client.get(f"/oparl/v1/file/{unpublished.pk}/access/").status_code == 404

    published = publish(public_programme)
    public_programme.is_public = False
    public_programme.save(update_fields=["is_public"])
    for url in (
        f"/oparl/v1/paper/{published.pk}/",
        f"/oparl/v1/file/{published.pk}/",
        f"/oparl/v1/file/{published.pk}/access/",
        f"/oparl/v1/file/{published.pk}/download/",
        f"/oparl/v1/body/{public_programme.pk}/",
        f"/oparl/v1/body/{public_programme.pk}/papers/",
        f"/oparl/v1/body/{public_programme.pk}/organisationen/",
    ):
        assert client.get(url).status_code == 404, url
    assert get_json(client, "/oparl/v1/bodies/")["data"] == []


def test_lists_are_paginated_and_keep_their_filters(client, site_url, public_programme, publish):
    reports = [publish(public_programme, ds_number=f"100{n}-26") for n in range(3)]
    base = f"/oparl/v1/body/{public_programme.pk}/papers/"
    since = "2000-01-01T00:00:00+01:00"

    first = get_json(client, f"{base}?limit=2&created_since={since.replace('+', '%2B')}")
    assert [paper["reference"] for paper in first["data"]] == ["1000-26", "1001-26"]
    assert first["pagination"] == {
        "totalElements": 3,
        "elementsPerPage": 2,
        "currentPage": 1,
        "totalPages": 2,
    }
    assert "prev" not in first["links"]
    assert first["links"]["next"] == (
        f"{site_url}{base}?created_since=2000-01-01T00%3A00%3A00%2B01%3A00&limit=2&page=2"
    )
    second = get_json(client, path_of(first["links"]["next"], site_url))
    assert [paper["id"] for paper in second["data"]] == [
        f"{site_url}/oparl/v1/paper/{reports[2].pk}/"
    ]
    assert second["links"]["prev"] == first["links"]["self"] == first["links"]["first"]
    assert "next" not in second["links"]

    assert get_json(client, f"{base}?page=3", 404)["type"] == SCHEMA + "Error"
    error = get_json(client, f"{base}?modified_since=gestern", 400)
    assert "modified_since" in error["message"]
    error = get_json(client, f"{base}?created_until=2026-13-45T00:00:00Z", 400)
    assert "created_until" in error["message"]
    assert get_json(client, f"{base}?limit=0", 400)["type"] == SCHEMA + "Error"
    assert get_json(client, f"{base}?created_until=2000-01-01T00:00:00Z")["data"] == []
    files = get_json(client, f"/oparl/v1/body/{public_programme.pk}/files/?limit=1")
    assert files["data"][0]["type"] == SCHEMA + "File"
    assert files["pagination"]["totalPages"] == 3


def test_json_answers_support_conditional_get(client, public_programme):
    first = client.get("/oparl/v1/")
    again = client.get("/oparl/v1/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_the_body_list_filters_by_date(client, public_programme):
    bodies = "/oparl/v1/bodies/"
    assert len(get_json(client, bodies + "?created_until=2999-01-01T00:00:00%2B01:00")["data"]) == 1
    assert get_json(client, bodies + "?modified_since=2999-01-01T00:00:00%2B01:00")["data"] == []


def test_a_file_gone_from_the_storage_is_not_found_not_an_error(client, public_programme, publish):
    report = publish(public_programme)
    report.file.storage.delete(report.file.name)
    assert client.get(f"/oparl/v1/file/{report.pk}/access/").status_code == 404
    assert client.get(f"/oparl/v1/file/{report.pk}/download/").status_code == 404


# Required properties per type (schema/*.json of github.com/OParl/spec, 1.1; the Body's lists
# marked ZWINGEND there), and every object's created and modified (new in 1.1).
REQUIRED = {
    "System": {"oparlVersion", "body"},
    "Body": {
        "name",
        "organization",
        "person",
        "meeting",
        "paper",
        "legislativeTerm",
        "agendaItem",
        "consultation",
        "file",
        "locationList",
        "legislativeTermList",
        "membership",
    },  # fmt: skip
    "Paper": set(),
    "File": {"accessUrl"},
}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def oparl_objects(value):
    """Every OParl object in an answer, embedded ones too."""
    if isinstance(value, dict):
        if str(value.get("type", "")).startswith(SCHEMA):
            yield value
        for item in value.values():
            yield from oparl_objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from oparl_objects(item)


def test_every_object_follows_the_rules_of_the_spec(client, site_url, public_programme, publish):
    publish(public_programme)
    withdrawn = publish(public_programme, ds_number="999-26")
    withdrawn.withdrawn_at = timezone.now()
    withdrawn.save(update_fields=["withdrawn_at"])
    since = "?modified_since=2000-01-01T00:00:00%2B01:00"
    answers = crawl(
        client, site_url, ["/oparl/v1/", f"/oparl/v1/body/{public_programme.pk}/papers/{since}"]
    )

    seen_types = set()
    for path, content in answers.items():
        if content.startswith(b"%PDF"):
            continue
        for obj in oparl_objects(json.loads(content)):
            kind = obj["type"].removeprefix(SCHEMA)
            seen_types.add(kind)
            assert obj["id"].startswith(site_url + "/oparl/v1/"), path
            assert DATE_TIME.match(obj["created"]) and DATE_TIME.match(obj["modified"]), path
            if obj.get("deleted"):
                assert set(obj) == {"id", "type", "created", "modified", "deleted"}, path
                continue
            assert REQUIRED[kind] <= set(obj), (kind, path)
            for key, value in obj.items():
                # No null, no empty string, no empty optional list (spec 2.4).
                assert value is not None and value != "", (kind, key, path)
                assert value != [] or key == "legislativeTerm", (kind, key, path)
            if "date" in obj:
                assert DATE.match(obj["date"]), path
    assert seen_types == {"System", "Body", "Paper", "File"}


def test_beat_reads_the_pdfs_of_newly_published_reports_only(public_programme, publish, programme):
    published = publish(public_programme, read=True)
    ReportFileFacts.objects.all().delete()
    unpublished = publish(public_programme, published=False, read=True)
    ReportFileFacts.objects.filter(report=unpublished).delete()

    assert report_files_read() == 1
    assert ReportFileFacts.objects.get().report_id == published.pk
    assert report_files_read() == 0  # read once
