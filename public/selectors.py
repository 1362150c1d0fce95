"""What the public may see: the one place the public site, the read API for anonymous callers
and the open-data downloads ask. Only programmes an admin made public; of a measure's status
only the latest *approved* update, without what `rounds.models.withhold_internal` withholds;
never editor names, history or e-mail addresses; only reports an admin published."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, QuerySet

from kpis.models import KPI, KPIValue
from masterplan.models import Programme, WorkingGroup
from measures.models import Goal, Measure
from reports.models import StatusReport
from rounds.models import ReportingRound, StatusUpdate, withhold_internal


def public_programmes() -> QuerySet[Programme]:
    return Programme.objects.public().order_by("pk")


def public_measures(programme: Programme) -> QuerySet[Measure]:
    """The measures of a public programme (empty for any other)."""
    return Measure.objects.filter(programme=programme, programme__is_public=True).in_number_order()


@dataclass(frozen=True)
class PublicStatus:
    """A measure's latest approved Sachstand as the public sees it."""

    round_name: str
    reporting_date: date
    traffic_light: str
    traffic_light_label: str
    traffic_light_reason: str
    achieved: str
    next_steps: str
    progress_percent: int | None
    # Which update, round and measure it is (for the read API's links); None when unknown.
    update_id: int | None = None
    round_id: int | None = None
    measure_id: int | None = None


def public_statuses(measure_ids) -> dict[int, PublicStatus]:
    """{measure id: its latest approved status}; measures without one are missing."""
    latest = StatusUpdate.objects.select_related("round").latest_approved_per_measure(measure_ids)
    return {measure_id: _public_status(update) for measure_id, update in latest.items()}


def _public_status(update: StatusUpdate) -> PublicStatus:
    content = withhold_internal(
        {
            "traffic_light_reason": update.traffic_light_reason,
            "traffic_light_reason_internal": update.traffic_light_reason_internal,
            "decision_needed": update.decision_needed,
        }
    )
    return PublicStatus(
        round_name=update.round.name,
        reporting_date=update.round.reporting_date,
        traffic_light=update.traffic_light,
        traffic_light_label=str(update.get_traffic_light_display()) if update.traffic_light else "",
        traffic_light_reason=content.get("traffic_light_reason", ""),
        achieved=update.achieved,
        next_steps=update.next_steps,
        progress_percent=update.progress_percent,
        update_id=update.pk,
        round_id=update.round_id,
        measure_id=update.measure_id,
    )


def _publishable(reports: QuerySet[StatusReport]) -> QuerySet[StatusReport]:
    """Only what `StatusReport.can_be_published` allows, even if a report was marked
    published otherwise: a committee version (with the internal fields) or a draft never."""
    return reports.filter(include_internal=False).exclude(ds_number="")


def public_reports(programme: Programme) -> QuerySet[StatusReport]:
    """Published reports of a public programme, newest first."""
    return _publishable(
        StatusReport.objects.published().filter(programme=programme, programme__is_public=True)
    ).order_by("-report_date", "-id")


def public_reports_ever(programme: Programme) -> QuerySet[StatusReport]:
    """Every report of a public programme that was ever published, withdrawn ones included
    (`is_public` tells them apart): a council system that harvested a report must learn that
    it was withdrawn (OParl answers it as deleted, never with its content)."""
    return _publishable(
        StatusReport.objects.ever_published().filter(programme=programme, programme__is_public=True)
    )


def public_kpis(programme: Programme) -> QuerySet[KPI]:
    """The KPIs of a public programme's measures with their values (`values` prefetched,
    oldest first), in measure number order. Public are a KPI's name, unit, target and its
    values with date and note; never who entered a value."""
    return (
        KPI.objects.filter(measure__programme=programme, measure__programme__is_public=True)
        .select_related("measure__working_group")
        .prefetch_related(Prefetch("values", queryset=KPIValue.objects.order_by("date", "id")))
        .order_by(
            "measure__working_group__number",
            "measure__number_major",
            "measure__number_minor",
            "order",
            "id",
        )
    )


# The same rules over every public programme at once, for the read API's lists.


def public_working_groups() -> QuerySet[WorkingGroup]:
    """Working groups of public programmes (never their editors or leads)."""
    return WorkingGroup.objects.filter(programme__in=public_programmes())


def public_measures_all() -> QuerySet[Measure]:
    """The measures of every public programme."""
    return Measure.objects.filter(programme__in=public_programmes())


def public_goals() -> QuerySet[Goal]:
    return Goal.objects.filter(measure__in=public_measures_all())


def public_kpis_all() -> QuerySet[KPI]:
    return KPI.objects.filter(measure__in=public_measures_all())


def public_kpi_values(today: date) -> QuerySet[KPIValue]:
    """Values of public KPIs measured by `today` (never who entered them)."""
    return KPIValue.objects.as_of(today).filter(kpi__in=public_kpis_all())


def public_rounds() -> QuerySet[ReportingRound]:
    """The rounds a public status comes from: nothing of a round without an approved update."""
    statuses = public_statuses(public_measures_all().values_list("pk", flat=True))
    return ReportingRound.objects.filter(pk__in={status.round_id for status in statuses.values()})


def public_reports_all() -> QuerySet[StatusReport]:
    """Published reports of every public programme."""
    return _publishable(StatusReport.objects.published().filter(programme__in=public_programmes()))
