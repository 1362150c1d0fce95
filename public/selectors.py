"""What the public may see: the one place the public site, the read API for anonymous callers
and the open-data downloads ask. Only programmes an admin made public; of a measure's status
only the latest *approved* update, without what `rounds.models.withhold_internal` withholds;
never editor names, history or e-mail addresses; only reports an admin published."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpis.models import KPI, KPIValue
from kpis.selectors import kpi_row, kpis_with_values
from masterplan.models import Programme, WorkingGroup
from measures.models import Goal, GoalStatus, Measure, TrafficLight
from measures.selectors import LIST_FIELDS, measure_legend, measure_list_rows
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


def public_report(programme: Programme, pk: int) -> StatusReport | None:
    return public_reports(programme).filter(pk=pk).first()


# Overview -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """One bar of a distribution: a value, its label and how many."""

    value: str
    label: str
    count: int
    percent: int


@dataclass(frozen=True)
class GroupSummary:
    numeral: str
    name: str
    group_id: int
    measures: int
    ampel: list[Share]
    goals: list[Share]
    goals_total: int
    goals_reached_percent: int | None


def _shares(counts: dict[str, int], choices: list[tuple[str, str]]) -> list[Share]:
    total = sum(counts.values())
    return [
        Share(
            value=value,
            label=str(label),
            count=counts.get(value, 0),
            percent=round(100 * counts.get(value, 0) / total) if total else 0,
        )
        for value, label in choices
    ]


def _reached_percent(counts: dict[str, int]) -> int | None:
    """Goals reached of those still meant to be reached (dropped goals do not count)."""
    relevant = sum(counts.values()) - counts.get(GoalStatus.DROPPED, 0)
    return round(100 * counts.get(GoalStatus.REACHED, 0) / relevant) if relevant else None


AMPEL_CHOICES = [*TrafficLight.choices, ("", _("noch keine freigegebene Ampel"))]


def public_overview(programme: Programme) -> list[GroupSummary]:
    """Per working group: the Ampel of the measures' latest approved status and the goals by
    status, with a last row for the whole programme (numeral "")."""
    measures = public_measures(programme).order_by()
    ampel = defaultdict(dict)
    for row in measures.values("working_group", "traffic_light").annotate(n=Count("pk")):
        ampel[row["working_group"]][row["traffic_light"]] = row["n"]
    goals = defaultdict(dict)
    goal_rows = (
        Goal.objects.filter(measure__in=measures)
        .values("measure__working_group", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in goal_rows:
        goals[row["measure__working_group"]][row["status"]] = row["n"]
    summaries = []
    everything_ampel: dict[str, int] = defaultdict(int)
    everything_goals: dict[str, int] = defaultdict(int)
    for group in programme.working_groups.order_by("number"):
        group_ampel, group_goals = ampel.get(group.pk, {}), goals.get(group.pk, {})
        for key, count in group_ampel.items():
            everything_ampel[key] += count
        for key, count in group_goals.items():
            everything_goals[key] += count
        summaries.append(_summary(group.numeral, group.name, group.pk, group_ampel, group_goals))
    summaries.append(_summary("", "", 0, everything_ampel, everything_goals))
    return summaries


def _summary(numeral, name, group_id, ampel: dict, goals: dict) -> GroupSummary:
    return GroupSummary(
        numeral=numeral,
        name=name,
        group_id=group_id,
        measures=sum(ampel.values()),
        ampel=_shares(ampel, AMPEL_CHOICES),
        goals=_shares(goals, GoalStatus.choices),
        goals_total=sum(goals.values()),
        goals_reached_percent=_reached_percent(goals),
    )


# Measure list ---------------------------------------------------------------------------------


def public_measure_list(programme: Programme) -> QuerySet:
    """The public list's rows, as plain values (the staff list's fields)."""
    return public_measures(programme).values(*LIST_FIELDS)


def public_measure_rows(rows) -> list[dict]:
    """One page of the public list: the staff list's rows without what only staff see."""
    shown = measure_list_rows(rows=rows, today=timezone.localdate(), editable_group_ids=set())
    return [
        {key: value for key, value in row.items() if key not in ("editable", "overdue")}
        for row in shown
    ]


# Measure page ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicKPI:
    """A KPI as the public sees it: no notes, no names of who entered the values."""

    name: str
    unit: str
    target: str
    target_date: date | None
    latest_value: str
    latest_date: date | None
    chart: str
    chart_description: str


def public_measure(programme: Programme, number: str) -> Measure | None:
    return (
        public_measures(programme)
        .select_related("working_group", "programme")
        .prefetch_related(Prefetch("goals", queryset=Goal.objects.order_by("order", "id")))
        .filter(number=number)
        .first()
    )


def public_measure_kpis(measure: Measure) -> list[PublicKPI]:
    kpis = kpis_with_values().filter(measure=measure).order_by("order", "id")
    result = []
    for kpi in kpis:
        row = kpi_row(kpi)
        target = kpi.target or (
            f"{row['target_value']} {kpi.unit}".strip() if row["target_value"] else ""
        )
        latest = row["latest"]
        result.append(
            PublicKPI(
                name=kpi.name,
                unit=kpi.unit,
                target=target,
                target_date=kpi.target_date,
                latest_value=f"{row['latest_value']} {kpi.unit}".strip() if latest else "",
                latest_date=latest.date if latest else None,
                chart=row["chart"],
                chart_description=row["chart_description"],
            )
        )
    return result


def public_measure_page(measure: Measure) -> dict:
    """What the public measure page shows: fields, goals, ratings, KPIs, approved status."""
    today = timezone.localdate()
    return {
        "measure": measure,
        "goals": [
            {"goal": goal, "overdue": goal.is_overdue(today)} for goal in measure.goals.all()
        ],
        "ratings": measure_legend(measure=measure),
        "kpis": public_measure_kpis(measure),
        "status": public_statuses([measure.pk]).get(measure.pk),
    }
