"""The "since the last report" part of the overview, for every persona."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from measures.models import Goal, GoalStatus, Measure
from measures.services import measure_update
from reports.models import ReportState, StatusReport
from reports.snapshot import report_snapshot


@pytest.fixture
def programme(small_programme):
    """Not about the seed: some programme with some measures, built from factories."""
    return small_programme


URL = "/berichte/seit-letztem-bericht/"


@pytest.fixture
def done_report(programme):
    """A finished report of the whole seed, frozen a month ago."""
    report_date = timezone.localdate() - timedelta(days=30)
    return StatusReport.objects.create(
        programme=programme,
        ds_number="300-20",
        report_date=report_date,
        state=ReportState.DONE,
        finished_at=timezone.now(),
        snapshot=report_snapshot(
            programme=programme, title="Anhang", ds_number="300-20", report_date=report_date
        ),
    )


def test_url_name_and_path():
    assert reverse("reports:changes_since_last") == URL


def test_anonymous_visitors_are_sent_to_the_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["admin_user", "editor_group_1", "committee_member"])
def test_without_a_done_report_everyone_logged_in_sees_the_empty_state(
    client, programme, request, persona
):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(URL, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Es gibt noch keinen fertigen Bericht" in body
    assert "<html" not in body


def test_htmx_gets_the_fragment_with_counts_and_links_to_changed_measures(
    client, programme, done_report, editor_group_1, admin_user
):
    measure = Measure.objects.get(programme=programme, number="2.1")
    measure_update(
        measure=measure,
        data={"status": "in_umsetzung"},
        expected_version=measure.version,
        by=admin_user,
    )
    goal = Goal.objects.filter(measure__number="3.1").order_by("order").first()
    goal.status = GoalStatus.REACHED
    goal.save()
    client.force_login(editor_group_1)
    response = client.get(URL, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert "Bericht DS-Nr. 300-20 vom" in body
    planned = Measure.objects.filter(programme=programme, status="geplant").count()
    assert (
        f'<th scope="row">geplant</th><td>{planned}</td><td>{planned + 1}</td><td>-1</td>' in body
    )
    assert '<th scope="row">Ziele erreicht</th><td>1</td><td>0</td><td>+1</td>' in body
    detail = reverse("measures:detail", args=[measure.pk])
    assert f'<a href="{detail}">2.1 {measure.title}</a>' in body
    assert "Status: geplant → in Umsetzung" in body
    assert reverse("measures:detail", args=[goal.measure.pk]) in body
    unchanged = Measure.objects.get(programme=programme, number="1.1")
    assert reverse("measures:detail", args=[unchanged.pk]) + '"' not in body


def test_a_plain_get_renders_the_same_part_inside_the_page(
    client, programme, done_report, committee_member
):
    client.force_login(committee_member)
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" in body and "<h1>Seit dem letzten Bericht</h1>" in body
    assert "Keine Änderungen seit dem letzten Bericht." in body
    assert reverse("reports:detail", args=[done_report.pk]) in body


def test_it_compares_with_the_latest_done_report_only(client, programme, done_report, admin_user):
    StatusReport.objects.create(
        programme=programme, ds_number="999-20", report_date=date(2020, 3, 1)
    )  # queued, not done
    client.force_login(admin_user)
    body = client.get(URL, headers={"HX-Request": "true"}).content.decode()
    assert "300-20" in body and "999-20" not in body


def test_a_draft_as_the_last_report_is_named_a_draft(client, programme, done_report, admin_user):
    StatusReport.objects.filter(pk=done_report.pk).update(ds_number="")
    client.force_login(admin_user)
    body = client.get(URL, headers={"HX-Request": "true"}).content.decode()
    date_text = done_report.report_date.strftime("%d.%m.%Y")
    assert f"Heutiger Stand im Vergleich mit dem Berichtsentwurf vom {date_text}." in body
    assert "DS-Nr." not in body


@pytest.mark.parametrize(
    "groups_in_last_report, note",
    [
        ([4], "Nicht verglichen (im letzten Bericht nicht enthalten): Arbeitsgruppen I, II, III"),
        ([1, 2, 3], "Nicht verglichen (im letzten Bericht nicht enthalten): Arbeitsgruppe IV"),
    ],
)
def test_groups_left_out_of_the_last_report_are_named_in_singular_or_plural(
    client, programme, admin_user, groups_in_last_report, note
):
    report_date = timezone.localdate() - timedelta(days=30)
    StatusReport.objects.create(
        programme=programme,
        ds_number="300-20",
        report_date=report_date,
        working_group_numbers=groups_in_last_report,
        state=ReportState.DONE,
        finished_at=timezone.now(),
        snapshot=report_snapshot(
            programme=programme,
            title="Anhang",
            ds_number="300-20",
            report_date=report_date,
            working_group_numbers=groups_in_last_report,
        ),
    )
    client.force_login(admin_user)
    body = client.get(URL, headers={"HX-Request": "true"}).content.decode()
    assert note in " ".join(body.split())
