"""The last report has one definition, StatusReport.objects.latest_done(programme): the done
report with a frozen snapshot that finished last. Every place that speaks of the last report
uses it: a new report's comparison, the overview's changes, the report form and
`manage.py build_report`."""

from datetime import date, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from masterplan.models import Programme
from reports.forms import ReportRequestForm
from reports.models import ReportState, StatusReport
from reports.selectors import changes_since_last_report
from reports.services import report_request
from reports.snapshot import report_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(small_programme):
    """Not about the seed: some programme with some measures, built from factories."""
    return small_programme


DONE, FAILED = ReportState.DONE, ReportState.FAILED
QUEUED, BUILDING = ReportState.QUEUED, ReportState.BUILDING
T = timezone.make_aware(datetime(2026, 3, 1, 12))
HOUR = timedelta(hours=1)
MARCH, JUNE = date(2026, 3, 1), date(2026, 6, 30)


@pytest.fixture
def snapshot(programme):
    return report_snapshot(programme=programme, title="", ds_number="", report_date=MARCH)


def make_reports(programme, snapshot, specs) -> None:
    """Reports created in the order given: (DS number, state, finished, report date, frozen)."""
    for ds_number, state, finished, report_date, frozen in specs:
        StatusReport.objects.create(
            programme=programme,
            ds_number=ds_number,
            report_date=report_date,
            state=state,
            finished_at=finished,
            snapshot=snapshot if frozen else None,
        )


CASES = {
    "no report yet": ([], None),
    "the only done one": ([("A", DONE, T, MARCH, True)], "A"),
    "a newer failed one does not count": (
        [("A", DONE, T, MARCH, True), ("B", FAILED, T + HOUR, MARCH, False)],
        "A",
    ),
    "queued and building ones do not count": (
        [("A", DONE, T, MARCH, True), ("B", QUEUED, None, MARCH, False)]
        + [("C", BUILDING, None, MARCH, True)],
        "A",
    ),
    "a done one without snapshot does not count": (
        [("A", DONE, T, MARCH, True), ("B", DONE, T + HOUR, MARCH, False)],
        "A",
    ),
    "latest by when it finished, not by its report date": (
        [("A", DONE, T, JUNE, True), ("B", DONE, T + HOUR, MARCH, True)],
        "B",
    ),
    "finished at the same time: the later one": (
        [("A", DONE, T, MARCH, True), ("B", DONE, T, MARCH, True)],
        "B",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_latest_done_report(programme, snapshot, case):
    specs, expected = CASES[case]
    make_reports(programme, snapshot, specs)
    other = Programme.objects.create(name="Ein anderes Programm")
    make_reports(other, snapshot, [("X", DONE, T + 5 * HOUR, JUNE, True)])

    latest = StatusReport.objects.latest_done(programme)
    assert (latest.ds_number if latest else None) == expected


def test_every_place_takes_the_same_last_report(programme, snapshot):
    # Each of these was the last report for one of the former copies of the rule.
    make_reports(
        programme,
        snapshot,
        [
            ("15160-19", DONE, T, JUNE, True),  # latest report date
            ("16000-20", DONE, T + HOUR, MARCH, True),  # the last report
            ("17000-21", DONE, T + 2 * HOUR, MARCH, False),  # done, but no snapshot
            ("18000-22", FAILED, T + 3 * HOUR, MARCH, False),  # newest request
        ],
    )
    last = StatusReport.objects.get(ds_number="16000-20")

    assert StatusReport.objects.latest_done(programme) == last
    form = ReportRequestForm(programme=programme)
    assert form.fields["ds_number"].initial == "16000-20"
    assert changes_since_last_report(programme=programme, today=MARCH).report == last
    new = report_request(
        programme=programme, title="T", ds_number="1", report_date=MARCH, enqueue=False
    )
    assert new.previous == last

    # `build_report` without --ds-number: queued for a worker that does not come (no commit).
    with pytest.raises(CommandError, match="still"):
        call_command("build_report", "--output", "bericht.pdf", "--enqueue", "--timeout", "0")
    requested = StatusReport.objects.latest("pk")
    assert (requested.ds_number, requested.previous) == ("16000-20", last)
