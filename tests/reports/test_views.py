"""The report pages for every persona: who may see, create, retry and download."""

from datetime import date

import pytest
from django.urls import reverse

from reports.models import PdfVariant, ReportState, StatusReport
from reports.services import report_build, report_fail, report_request


@pytest.fixture
def done_report(programme, media_root, admin_user):
    report = report_request(
        programme=programme,
        title="Anhang zum Sachstandsbericht",
        ds_number="15160-19",
        report_date=date(2020, 3, 1),
        working_group_numbers=[4],
        by=admin_user,
        enqueue=False,
    )
    report_build(report_id=report.pk)
    report.refresh_from_db()
    return report


@pytest.fixture
def failed_report(programme):
    report = report_request(
        programme=programme,
        title="Anhang zum Sachstandsbericht",
        ds_number="1-20",
        report_date=date(2020, 3, 1),
        enqueue=False,
    )
    report_fail(report=report, reason="Der Drucker brennt.")
    return report


def _form(**overrides):
    data = {
        "title": "Anhang zum Sachstandsbericht",
        "ds_number": "15160-19",
        "report_date": "2020-03-01",
        "scope": "all",
    }
    return {**data, **overrides}


@pytest.mark.parametrize(
    "name, args",
    [
        ("reports:list", []),
        ("reports:create", []),
        ("reports:detail", [1]),
        ("reports:download", [1]),
    ],
)
def test_anonymous_visitors_are_sent_to_the_login(client, db, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_everyone_logged_in_sees_the_list_with_who_built_what(client, editor_group_1, done_report):
    client.force_login(editor_group_1)
    response = client.get(reverse("reports:list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Anhang zum Sachstandsbericht – DS-Nr. 15160-19" in page
    assert "alice" in page
    assert reverse("reports:download", args=[done_report.pk]) in page
    assert reverse("reports:create") not in page


@pytest.mark.parametrize("persona", ["editor_group_1", "editor_group_2"])
def test_editors_may_not_create_or_retry_reports(client, request, persona, failed_report):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("reports:create")).status_code == 403
    assert client.post(reverse("reports:create"), _form()).status_code == 403
    assert client.post(reverse("reports:retry", args=[failed_report.pk])).status_code == 403
    assert StatusReport.objects.count() == 1


@pytest.mark.parametrize("persona", ["committee_member", "admin_user"])
def test_committee_and_admins_create_reports(
    client, request, persona, programme, django_capture_on_commit_callbacks
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get(reverse("reports:create")).status_code == 200
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("reports:create"),
            _form(scope="groups", working_groups=["1", "3"], archival="on"),
        )
    report = StatusReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:detail", args=[report.pk])
    assert len(callbacks) == 1
    assert report.created_by == user
    assert report.working_group_numbers == [1, 3]
    assert report.pdf_variant == PdfVariant.PDF_A
    assert report.state == ReportState.QUEUED


def test_choosing_groups_without_ticking_one_is_refused(client, committee_member, programme):
    client.force_login(committee_member)
    response = client.post(reverse("reports:create"), _form(scope="groups"))
    assert response.status_code == 200
    assert "mindestens eine Arbeitsgruppe" in response.content.decode()
    assert not StatusReport.objects.exists()


def test_a_report_without_ds_number_is_a_draft(client, committee_member, programme):
    client.force_login(committee_member)
    response = client.post(reverse("reports:create"), _form(ds_number=""))
    report = StatusReport.objects.get()
    assert response.status_code == 302
    assert report.is_draft
    assert str(report) == "Anhang zum Sachstandsbericht – Entwurf"
    assert "Anhang zum Sachstandsbericht – Entwurf" in client.get(reverse("reports:list")).text
    assert "Anhang zum Sachstandsbericht – Entwurf" in client.get("/").text
    detail = client.get(reverse("reports:detail", args=[report.pk])).text
    assert "<h1>Anhang zum Sachstandsbericht – Entwurf</h1>" in detail
    assert "DS-Nr." not in detail.split("<h1>")[1].split("</h1>")[0]


@pytest.mark.parametrize(
    "persona", ["admin_user", "editor_group_1", "editor_group_2", "committee_member"]
)
def test_a_report_built_from_the_command_line_is_shown_as_such(
    client, request, persona, programme, media_root
):
    report = report_request(
        programme=programme,
        title="Anhang zum Sachstandsbericht",
        ds_number="2-21",
        report_date=date(2021, 3, 1),
        enqueue=False,
    )
    report_build(report_id=report.pk)
    client.force_login(request.getfixturevalue(persona))
    listing = client.get(reverse("reports:list"))
    detail = client.get(reverse("reports:detail", args=[report.pk]))
    assert listing.status_code == detail.status_code == 200
    assert "über die Kommandozeile erstellt" in listing.text
    assert "über die Kommandozeile erstellt" in detail.text


def test_one_working_group_is_named_in_the_singular(client, editor_group_1, done_report):
    client.force_login(editor_group_1)
    listing = client.get(reverse("reports:list")).text
    detail = client.get(reverse("reports:detail", args=[done_report.pk])).text
    assert "(Arbeitsgruppe IV)" in listing and "Arbeitsgruppen" not in listing
    assert "<dd>Arbeitsgruppe IV</dd>" in detail


def test_several_working_groups_are_named_in_the_plural(programme):
    report = report_request(
        programme=programme,
        title="Bericht",
        ds_number="1",
        report_date=date(2020, 3, 1),
        working_group_numbers=[3, 1],
        enqueue=False,
    )
    assert report.selected_groups_label() == "Arbeitsgruppen I, III"


def test_after_a_request_only_the_live_state_panel_speaks_of_the_state(
    client, committee_member, programme, media_root, django_capture_on_commit_callbacks
):
    """The panel is refreshed until the report is done; nothing outside it may keep saying
    "wird erstellt" next to "fertig"."""
    client.force_login(committee_member)
    with django_capture_on_commit_callbacks(execute=False):
        page = client.post(reverse("reports:create"), _form(), follow=True).text
    report = StatusReport.objects.get()
    outside_panel = page.split('<section id="report-status"')[0].split("<main")[1]
    # (The job was not sent here, as on-commit callbacks did not run: that warning may show.)
    assert "Der Bericht wird erstellt" not in outside_panel
    report_build(report_id=report.pk)
    panel = client.get(reverse("reports:status", args=[report.pk])).text
    assert 'data-report-state="done"' in panel and "wird erstellt" not in panel


def test_download_serves_the_pdf_under_a_meaningful_name(client, editor_group_2, done_report):
    client.force_login(editor_group_2)
    response = client.get(reverse("reports:download", args=[done_report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="Sachstandsbericht_15160-19.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_download_of_an_unfinished_report_is_not_found(client, committee_member, failed_report):
    client.force_login(committee_member)
    assert client.get(reverse("reports:download", args=[failed_report.pk])).status_code == 404


def test_status_panel_polls_until_the_report_is_finished(client, committee_member, programme):
    report = report_request(
        programme=programme,
        title="Bericht",
        ds_number="1",
        report_date=date(2020, 3, 1),
        enqueue=False,
    )
    client.force_login(committee_member)
    status_url = reverse("reports:status", args=[report.pk])
    queued = client.get(status_url).content.decode()
    assert f'hx-get="{status_url}"' in queued and 'data-report-state="queued"' in queued
    report_fail(report=report, reason="Kaputt.")
    failed = client.get(status_url).content.decode()
    assert "hx-get" not in failed
    assert "Kaputt." in failed and reverse("reports:retry", args=[report.pk]) in failed


def test_detail_shows_the_failure_and_retry_queues_it_again(
    client, committee_member, failed_report, django_capture_on_commit_callbacks
):
    client.force_login(committee_member)
    page = client.get(reverse("reports:detail", args=[failed_report.pk])).content.decode()
    assert "Der Drucker brennt." in page
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("reports:retry", args=[failed_report.pk]))
    assert response.status_code == 302
    assert len(callbacks) == 1
    failed_report.refresh_from_db()
    assert failed_report.state == ReportState.QUEUED


def test_done_report_detail_offers_the_download(client, committee_member, done_report):
    client.force_login(committee_member)
    page = client.get(reverse("reports:detail", args=[done_report.pk])).content.decode()
    assert reverse("reports:download", args=[done_report.pk]) in page
    assert "Sachstandsbericht_15160-19.pdf" in page
    assert "hx-get" not in page
