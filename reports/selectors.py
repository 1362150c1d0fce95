"""Reading reports for the web pages."""

from dataclasses import dataclass
from datetime import date

from masterplan.models import Programme
from measures.models import Measure

from .changes import snapshot_changes
from .models import StatusReport
from .snapshot import report_snapshot


@dataclass(frozen=True)
class LiveChanges:
    report: StatusReport | None
    changes: dict | None
    measure_ids: dict[str, int]


def changes_since_last_report(*, programme: Programme, today: date) -> LiveChanges:
    """The programme now (a live snapshot, goals judged overdue as of `today`) compared with the
    latest done report's frozen snapshot; `changes` is None while no report is done."""
    report = StatusReport.objects.latest_done(programme)
    if report is None:
        return LiveChanges(report=None, changes=None, measure_ids={})
    live = report_snapshot(programme=programme, title="", ds_number="", report_date=today)
    measure_ids = dict(Measure.objects.filter(programme=programme).values_list("number", "pk"))
    return LiveChanges(
        report=report,
        changes=snapshot_changes(report.snapshot, live),
        measure_ids=measure_ids,
    )
