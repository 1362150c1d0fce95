"""What each caller of the read API may read.

Anonymous callers read exactly what `public.selectors` allows (public programmes, the latest
approved status without internal fields, published reports). Staff (signed in or with a
personal token) read what the staff pages show them; the internal fields of a status update
(Entscheidungsbedarf, a reason marked internal) only the steering committee and admins read.
No response names an editor or carries an e-mail address or the change history.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from kpis.models import KPI, KPIValue
from masterplan.models import Programme, WorkingGroup
from masterplan.roles import is_admin, is_committee
from measures.models import Goal, Measure
from public import selectors as public
from reports.models import ReportState, StatusReport
from rounds.models import ReportingRound, StatusUpdate, UpdateState, withhold_internal


def is_staff_reader(user) -> bool:
    return bool(user and user.is_authenticated)


def reads_internal(user) -> bool:
    """Entscheidungsbedarf and internal reasons: for the committee and admins."""
    return is_admin(user) or is_committee(user)


def programmes_for(user) -> QuerySet[Programme]:
    if is_staff_reader(user):
        return Programme.objects.order_by("pk")
    return public.public_programmes()


def working_groups_for(user) -> QuerySet[WorkingGroup]:
    groups = WorkingGroup.objects.all() if is_staff_reader(user) else public.public_working_groups()
    return groups.order_by("programme_id", "number", "pk")


def measures_for(user) -> QuerySet[Measure]:
    measures = Measure.objects.all() if is_staff_reader(user) else public.public_measures_all()
    return measures.select_related("working_group")


def goals_for(user) -> QuerySet[Goal]:
    goals = Goal.objects.all() if is_staff_reader(user) else public.public_goals()
    return goals.order_by("measure_id", "order", "pk")


def kpis_for(user) -> QuerySet[KPI]:
    kpis = KPI.objects.all() if is_staff_reader(user) else public.public_kpis_all()
    return kpis.order_by("measure_id", "order", "pk")


def kpi_values_for(user, *, today: date | None = None) -> QuerySet[KPIValue]:
    today = today or timezone.localdate()
    if is_staff_reader(user):
        return KPIValue.objects.as_of(today)
    return public.public_kpi_values(today)


def rounds_for(user) -> QuerySet[ReportingRound]:
    rounds = ReportingRound.objects.all() if is_staff_reader(user) else public.public_rounds()
    return rounds.order_by("-reporting_date", "-pk")


def reports_for(user) -> QuerySet[StatusReport]:
    reports = StatusReport.objects.all() if is_staff_reader(user) else public.public_reports_all()
    return reports.order_by("-report_date", "-pk")


def report_file_for(user, pk: int) -> StatusReport | None:
    """The report whose PDF this caller may download, or None."""
    report = reports_for(user).filter(pk=pk, state=ReportState.DONE).first()
    if report is None or not report.file:
        return None
    return report


@dataclass(frozen=True)
class ApiStatus:
    """A status update as the API shows it; fields a caller may not read are None."""

    id: int
    measure: int
    round: int
    round_name: str
    reporting_date: date
    state: str | None
    approved: bool
    traffic_light: str
    traffic_light_label: str
    traffic_light_reason: str | None
    traffic_light_reason_internal: bool | None
    achieved: str
    next_steps: str
    decision_needed: str | None
    progress_percent: int | None
    updated_at: object | None


def status_updates_for(user, *, measure: int | None = None, round: int | None = None):
    """Staff: a queryset of every update (turn a page of it into ApiStatus with `statuses_of`).
    Anonymous: the list of public statuses (latest approved per public measure)."""
    if is_staff_reader(user):
        updates = StatusUpdate.objects.select_related("round")
        if measure is not None:
            updates = updates.filter(measure_id=measure)
        if round is not None:
            updates = updates.filter(round_id=round)
        return updates.order_by("measure_id", "-round__reporting_date", "-round_id", "pk")
    measures = public.public_measures_all()
    if measure is not None:
        measures = measures.filter(pk=measure)
    statuses = public.public_statuses(measures.values_list("pk", flat=True))
    rows = [_from_public(status) for status in statuses.values()]
    if round is not None:
        rows = [row for row in rows if row.round == round]
    return sorted(rows, key=lambda row: (row.measure, row.id))


def statuses_of(user, rows) -> list[ApiStatus]:
    """The rows `status_updates_for` gave (a page of them) as the caller may read them."""
    if not is_staff_reader(user):
        return list(rows)  # already public statuses
    internal = reads_internal(user)
    return [_from_update(update, internal=internal) for update in rows]


def _from_update(update: StatusUpdate, *, internal: bool) -> ApiStatus:
    content = {
        "traffic_light_reason": update.traffic_light_reason,
        "traffic_light_reason_internal": update.traffic_light_reason_internal,
        "decision_needed": update.decision_needed,
    }
    if not internal:
        content = withhold_internal(content)
    return ApiStatus(
        id=update.pk,
        measure=update.measure_id,
        round=update.round_id,
        round_name=update.round.name,
        reporting_date=update.round.reporting_date,
        state=update.state,
        approved=update.state == UpdateState.APPROVED,
        traffic_light=update.traffic_light,
        traffic_light_label=str(update.get_traffic_light_display()) if update.traffic_light else "",
        traffic_light_reason=content.get("traffic_light_reason"),
        traffic_light_reason_internal=content.get("traffic_light_reason_internal"),
        achieved=update.achieved,
        next_steps=update.next_steps,
        decision_needed=content.get("decision_needed"),
        progress_percent=update.progress_percent,
        updated_at=update.updated_at,
    )


def _from_public(status: public.PublicStatus) -> ApiStatus:
    return ApiStatus(
        id=status.update_id,
        measure=status.measure_id,
        round=status.round_id,
        round_name=status.round_name,
        reporting_date=status.reporting_date,
        state=None,
        approved=True,
        traffic_light=status.traffic_light,
        traffic_light_label=status.traffic_light_label,
        traffic_light_reason=status.traffic_light_reason,
        traffic_light_reason_internal=None,
        achieved=status.achieved,
        next_steps=status.next_steps,
        decision_needed=None,
        progress_percent=status.progress_percent,
        updated_at=None,
    )
