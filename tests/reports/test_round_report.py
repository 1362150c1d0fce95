"""A closed reporting round becomes its Sachstandsbericht: the Ampel, Sachstand, next steps and
Entscheidungsbedarf of each measure under its heading, and the round's summary page."""

import re
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse

from reports.models import ReportState, StatusReport
from reports.services import report_build, report_request, round_close_and_report
from rounds.models import RoundState, StatusUpdate, TrafficLight, UpdateAction
from rounds.services import (
    round_close,
    round_reopen,
    update_save,
    update_transition,
)
from tests.conftest import FORBIDDEN, LOGIN, SAVED, assert_outcome, login_as
from tests.factories import ReportingRoundFactory

from .conftest import PdfText, heading_pattern, normalized

pytestmark = pytest.mark.django_db

ACHIEVED_1_1 = "Das Glasfasernetz erreicht jetzt 40 Schulen."
REASON_1_1 = "Der Lieferant ist drei Monate im Verzug."
DECISION_1_1 = "Der Lenkungskreis muss über Mehrkosten von 12.500 Euro entscheiden."
ACHIEVED_1_2 = "Die Ausschreibung ist vorbereitet."


@pytest.fixture
def lead_group_1(programme):
    user = User.objects.create_user("lars", "lars@example.org", "pw")
    programme.working_groups.get(number=1).leads.add(user)
    return user


def _round(programme, admin_user, name="Sachstand 1/2027", reporting_date=date(2027, 3, 31)):
    return ReportingRoundFactory(
        programme=programme,
        name=name,
        reporting_date=reporting_date,
        update_deadline=reporting_date,
        review_deadline=reporting_date,
        open=True,
        by=admin_user,
    )


def _write(round_, number, *, by, submit=True, **data):
    update = StatusUpdate.objects.get(round=round_, measure__number=number)
    update = update_save(update=update, data=data, expected_version=update.version, by=by)
    if submit:
        update = update_transition(update=update, action=UpdateAction.SUBMIT, by=by)
    return update


@pytest.fixture
def filled_round(programme, admin_user, editor_group_1, lead_group_1):
    """1.1 kritisch and approved (with Entscheidungsbedarf); 1.2 submitted, not approved."""
    round_ = _round(programme, admin_user)
    update = _write(
        round_,
        "1.1",
        by=editor_group_1,
        traffic_light=TrafficLight.CRITICAL,
        traffic_light_reason=REASON_1_1,
        achieved=ACHIEVED_1_1,
        next_steps="Vertragsstrafe prüfen.",
        decision_needed=DECISION_1_1,
    )
    update_transition(update=update, action=UpdateAction.APPROVE, by=lead_group_1)
    _write(
        round_, "1.2", by=editor_group_1, traffic_light=TrafficLight.ON_TRACK, achieved=ACHIEVED_1_2
    )
    return round_


def _close_and_build(round_, admin_user, **options) -> StatusReport:
    report = round_close_and_report(round=round_, by=admin_user, enqueue=False, **options)
    report_build(report_id=report.pk)
    report.refresh_from_db()
    assert report.state == ReportState.DONE, report.error
    return report


def _pdf(report) -> PdfText:
    with report.file.open("rb") as stream:
        return PdfText(stream.read())


COMPLETION = re.compile(r"\d+ von \d+ freigegeben")
NOT_APPROVED = re.compile(r"nicht freigegeben\b")


def _measure_page(pdf: PdfText, number: str, title_start: str) -> str:
    summary = pdf.page_of(COMPLETION)
    number = pdf.page_of(heading_pattern(number, title_start), after=summary)
    return normalized(pdf.pages[number - 1])


def test_the_committee_report_shows_the_round_per_measure_and_in_the_summary(
    filled_round, admin_user, media_root
):
    report = _close_and_build(filled_round, admin_user, include_unapproved=True)
    pdf = _pdf(report)
    first = report.snapshot["groups"][0]["measures"]
    title_1_1, title_1_2 = first[0]["title"], first[1]["title"]

    summary_number = pdf.page_of(COMPLETION)  # the summary page, after the contents
    summary = normalized(" ".join(pdf.pages[summary_number - 1 : summary_number + 1]))
    assert "1 von 25 freigegeben" in summary
    assert "nicht begonnen" in summary  # every Ampel word heads a column, chosen or not
    assert f"1.1 {title_1_1.split()[0]}" in summary
    assert "kritisch" in summary
    assert REASON_1_1 in summary
    assert DECISION_1_1 in summary

    page_1_1 = _measure_page(pdf, "1.1", title_1_1.split()[0])
    assert "Ampel: kritisch" in page_1_1
    assert ACHIEVED_1_1 in page_1_1
    assert "Vertragsstrafe prüfen." in page_1_1
    assert DECISION_1_1 in page_1_1
    assert not NOT_APPROVED.search(page_1_1.split(ACHIEVED_1_1)[0].split("Ampel:")[-1])

    page_1_2 = _measure_page(pdf, "1.2", title_1_2.split()[0])
    assert "Ampel: im Plan" in page_1_2
    assert NOT_APPROVED.search(page_1_2)
    assert ACHIEVED_1_2 in page_1_2


def test_a_report_without_internal_fields_leaves_the_entscheidungsbedarf_out(
    filled_round, admin_user, media_root
):
    round_ = filled_round
    round_close(round=round_, include_unapproved=False, by=admin_user)
    report = report_request(
        programme=round_.programme,
        title="Öffentliche Fassung",
        ds_number="",
        report_date=round_.reporting_date,
        round=round_,
        include_internal=False,
        enqueue=False,
    )
    report_build(report_id=report.pk)
    report.refresh_from_db()
    assert report.state == ReportState.DONE, report.error
    frozen = report.snapshot["groups"][0]["measures"][0]["round_status"]
    assert "decision_needed" not in frozen
    assert frozen["traffic_light_reason"] == REASON_1_1  # the Ampel's reason is not internal

    text = normalized(" ".join(_pdf(report).pages))
    assert DECISION_1_1 not in text
    assert "Entscheidungsbedarf" not in text
    assert ACHIEVED_1_1 in text
    # Without "include as submitted", 1.2 has no approved update: no Ampel of this round.
    assert ACHIEVED_1_2 not in text
    assert not NOT_APPROVED.search(text)


def test_closing_builds_exactly_one_report_and_closing_again_a_new_one(
    filled_round, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = round_close_and_report(round=filled_round, include_unapproved=False, by=admin_user)
    assert len(callbacks) == 1  # the build is sent to a worker once, after the commit
    filled_round.refresh_from_db()
    assert filled_round.state == RoundState.CLOSED
    assert list(StatusReport.objects.filter(round=filled_round)) == [first]
    assert first.state == ReportState.QUEUED and first.include_internal

    round_reopen(round=filled_round, reason="1.3 fehlte", by=admin_user)
    with django_capture_on_commit_callbacks(execute=False):
        second = round_close_and_report(round=filled_round, include_unapproved=True, by=admin_user)
    assert set(StatusReport.objects.filter(round=filled_round)) == {first, second}
    assert second.previous is None  # not the same round's earlier report


def test_a_failed_close_requests_no_report(filled_round, admin_user, editor_group_1):
    round_close_and_report(
        round=filled_round, include_unapproved=False, by=admin_user, enqueue=False
    )
    with pytest.raises(ValidationError, match="kann nicht"):
        round_close_and_report(
            round=filled_round, include_unapproved=False, by=admin_user, enqueue=False
        )
    assert StatusReport.objects.filter(round=filled_round).count() == 1


def test_a_round_report_compares_with_the_previous_rounds_report(programme, admin_user, media_root):
    earlier_round = _round(programme, admin_user, "Sachstand 1/2026", date(2026, 3, 31))
    earlier = _close_and_build(earlier_round, admin_user, include_unapproved=False)
    # A report without a round, built later, is not what the next round compares with.
    plain = report_request(
        programme=programme,
        title="Zwischendurch",
        ds_number="",
        report_date=date(2026, 6, 1),
        enqueue=False,
    )
    report_build(report_id=plain.pk)
    later_round = _round(programme, admin_user, "Sachstand 2/2026", date(2026, 9, 30))
    with_previous = round_close_and_report(
        round=later_round, include_unapproved=False, by=admin_user, enqueue=False
    )
    assert with_previous.previous == earlier


def test_closing_from_the_round_page_goes_through_the_report_view(
    client, filled_round, admin_user, lead_group_1, django_capture_on_commit_callbacks
):
    client.force_login(lead_group_1)
    url = reverse("reports:round_close", args=[filled_round.pk])
    assert client.post(url, {"include_unapproved": "1"}).status_code == 403

    client.force_login(admin_user)
    page = client.get(reverse("rounds:detail", args=[filled_round.pk])).content.decode()
    assert f'action="{url}"' in page
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url, {"include_unapproved": "1", "ds_number": "4711-27"})
    report = StatusReport.objects.get(round=filled_round)
    assert response.status_code == 302
    assert response.url == reverse("reports:detail", args=[report.pk])
    detail = client.get(response.url).content.decode()
    assert reverse("rounds:detail", args=[filled_round.pk]) in detail  # back to its round
    assert report.ds_number == "4711-27"
    filled_round.refresh_from_db()
    assert filled_round.state == RoundState.CLOSED and filled_round.include_unapproved
    page = client.get(reverse("rounds:detail", args=[filled_round.pk])).content.decode()
    assert reverse("reports:detail", args=[report.pk]) in page


@pytest.mark.parametrize(
    ("persona", "outcome"),
    [
        ("admin", SAVED),
        ("editor_1", FORBIDDEN),
        ("editor_2", FORBIDDEN),
        ("committee", FORBIDDEN),
        ("anonymous", LOGIN),
    ],
)
def test_only_admins_close_a_round(
    client, personas, filled_round, persona, outcome, django_capture_on_commit_callbacks
):
    login_as(client, personas, persona)
    url = reverse("reports:round_close", args=[filled_round.pk])
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url, {"include_unapproved": "0"})
    assert_outcome(response, outcome)
    filled_round.refresh_from_db()
    closed = filled_round.state == RoundState.CLOSED
    assert closed is (outcome == SAVED)
    assert StatusReport.objects.filter(round=filled_round).count() == (1 if closed else 0)


def test_a_close_without_a_choice_changes_nothing(client, admin_user, filled_round):
    client.force_login(admin_user)
    response = client.post(reverse("reports:round_close", args=[filled_round.pk]), {}, follow=True)
    assert "Bitte wählen Sie" in response.content.decode()
    filled_round.refresh_from_db()
    assert filled_round.state == RoundState.OPEN
    assert not StatusReport.objects.exists()
