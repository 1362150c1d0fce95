"""What the measure pages read. Each function issues a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.db.models import Count, Prefetch
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kpis.models import KPI
from masterplan.models import (
    LEVEL_CHOICES_BY_KIND,
    Level,
    Programme,
    QuickWin,
    RatingKind,
    WorkingGroup,
)
from masterplan.numbers import format_decimal
from masterplan.services import legend_scales

from .models import Goal, GoalStatus, Measure, MeasureStatus

DUE_SOON_DAYS = 90
GOALS_SHOWN = 25  # per list on the overview; the rest is counted


LIST_FIELDS = (
    "pk",
    "number",
    "title",
    "status",
    "cost_rating",
    "personnel_rating",
    "timeframe_rating",
    "quick_win",
    "working_group_id",
    "working_group__numeral",
    "traffic_light",
)


def measure_list_queryset():
    """Measures for the list, as plain rows: the list shows no more than these fields."""
    return Measure.objects.values(*LIST_FIELDS)


def overdue_goal_counts(*, measure_ids: list[int], today: date) -> dict[int, int]:
    """Overdue goals per measure, for one page of the list (one query)."""
    rows = (
        Goal.objects.overdue(today)
        .filter(measure_id__in=measure_ids)
        .values("measure_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["measure_id"]: row["n"] for row in rows}


def measure_list_rows(*, rows, today: date, editable_group_ids: set[int] | None) -> list[dict]:
    """One page of the list with labels translated once per request, not once per cell."""
    labels = {
        name: {value: str(label) for value, label in choices.items()}
        for name, choices in MEASURE_CHOICES.items()
    }
    rows = list(rows)
    overdue = overdue_goal_counts(measure_ids=[row["pk"] for row in rows], today=today)
    result = []
    for row in rows:
        result.append(
            {
                **row,
                "status_label": labels["status"].get(row["status"], row["status"]),
                "ratings": [
                    labels[name].get(row[name], "")
                    for name in ("cost_rating", "personnel_rating", "timeframe_rating")
                ],
                "quick_win_label": labels["quick_win"].get(row["quick_win"], ""),
                "traffic_light_label": labels["traffic_light"].get(row["traffic_light"], ""),
                "is_quick_win": row["quick_win"] in QuickWin.wins(),
                "overdue": overdue.get(row["pk"], 0),
                "editable": editable_group_ids is None
                or row["working_group_id"] in editable_group_ids,
            }
        )
    return result


# Overview ------------------------------------------------------------------------------


@dataclass
class MatrixRow:
    label: str
    cells: list[list[dict]]


@dataclass
class Overview:
    programme: Programme | None
    statuses: list[tuple[str, str]]
    group_rows: list[dict]
    status_totals: list[int]
    total: int
    matrix_columns: list[str]
    matrix_rows: list[MatrixRow]
    due_goals: list[Goal]
    overdue_goals: list[Goal]
    due_count: int = 0
    overdue_count: int = 0
    latest_reports: list[dict] = field(default_factory=list)
    due_until: date | None = None


def overview(*, today: date, due_days: int = DUE_SOON_DAYS) -> Overview:
    programme = Programme.objects.current()
    statuses = list(MeasureStatus.choices)
    if programme is None:
        return Overview(None, statuses, [], [], 0, [], [], [], [])
    measures = Measure.objects.filter(programme=programme)
    groups = list(programme.working_groups.all())
    counts = {
        (row["working_group"], row["status"]): row["n"]
        for row in measures.values("working_group", "status").annotate(n=Count("pk")).order_by()
    }
    group_rows = []
    for group in groups:
        row_counts = [counts.get((group.pk, status), 0) for status, _label in statuses]
        group_rows.append({"group": group, "counts": row_counts, "total": sum(row_counts)})
    status_totals = [sum(row["counts"][i] for row in group_rows) for i in range(len(statuses))]

    levels = [*Level.values, ""]
    level_labels = [*Level.labels, _("nicht bewertet")]
    cells = {(cost, personnel): [] for cost in levels for personnel in levels}
    ordered = measures.order_by("working_group__number", "number_major", "number_minor")
    for item in ordered.values(
        "pk", "number", "title", "quick_win", "cost_rating", "personnel_rating"
    ):
        item["is_quick_win"] = item["quick_win"] in QuickWin.wins()
        cells[(item["cost_rating"], item["personnel_rating"])].append(item)
    matrix_rows = [
        MatrixRow(label=str(level_labels[i]), cells=[cells[(cost, p)] for p in levels])
        for i, cost in enumerate(levels)
    ]

    goals = Goal.objects.filter(measure__programme=programme).select_related("measure")
    due_until = today + timedelta(days=due_days)
    due = goals.due_between(today, due_until)
    due = due.order_by("target_date", "measure__number_major", "measure__number_minor")
    overdue = goals.overdue(today).order_by(
        "target_date", "measure__number_major", "measure__number_minor", "order"
    )
    due_goals, overdue_goals = list(due[:GOALS_SHOWN]), list(overdue[:GOALS_SHOWN])
    return Overview(
        programme=programme,
        statuses=statuses,
        group_rows=group_rows,
        status_totals=status_totals,
        total=sum(status_totals),
        matrix_columns=[str(label) for label in level_labels],
        matrix_rows=matrix_rows,
        due_goals=due_goals,
        overdue_goals=overdue_goals,
        due_count=len(due_goals) if len(due_goals) < GOALS_SHOWN else due.count(),
        overdue_count=len(overdue_goals) if len(overdue_goals) < GOALS_SHOWN else overdue.count(),
        latest_reports=latest_reports(programme=programme),
        due_until=due_until,
    )


def latest_reports(*, programme: Programme, limit: int = 5) -> list[dict]:
    """The newest status reports, read by model name.

    Reports sit above measures, so this module does not import them; the app registry gives
    the model when the reports app is installed, and the page shows nothing otherwise.
    """
    if not apps.is_installed("reports"):
        return []
    report_model = apps.get_model("reports", "StatusReport")
    reports = report_model.objects.filter(programme=programme).order_by("-created_at", "-pk")
    result = []
    for report in reports[:limit]:
        try:
            url = reverse("reports:detail", kwargs={"pk": report.pk})
        except NoReverseMatch:
            url = "/berichte/"
        result.append(
            {
                "title": report.title,
                "ds_number": report.ds_number,
                "report_date": report.report_date,
                "state": report.get_state_display(),
                "url": url,
            }
        )
    return result


# Detail --------------------------------------------------------------------------------


def measures_for_detail():
    return Measure.objects.select_related("working_group", "programme").prefetch_related(
        Prefetch("goals", queryset=Goal.objects.order_by("order", "id"))
    )


def measure_legend(*, measure: Measure) -> list[dict]:
    """Each rating of the measure with the legend's definition of its level."""
    scales = legend_scales(programme=measure.programme)
    ratings = [
        (RatingKind.COST, measure.cost_rating, measure.get_cost_rating_display()),
        (RatingKind.PERSONNEL, measure.personnel_rating, measure.get_personnel_rating_display()),
        (RatingKind.TIMEFRAME, measure.timeframe_rating, measure.get_timeframe_rating_display()),
        (RatingKind.QUICK_WIN, measure.quick_win, measure.get_quick_win_display()),
    ]
    result = []
    for kind, value, display in ratings:
        scale = scales.get(kind)
        definitions = []
        definition = ""
        if scale is not None:
            labels = dict(LEVEL_CHOICES_BY_KIND[kind].choices)
            for level in scale.levels.all():
                # The level in the page's language; the definition is the legend's text.
                label = labels.get(level.level, level.level)
                definitions.append(f"{label} = {level.definition}" if level.definition else label)
                if value and level.level.lower() == value.lower():
                    definition = level.definition
        result.append(
            {
                "kind": kind.label,
                "scale_label": scale.label if scale else kind.label,
                "note": scale.note if scale else "",
                "value": value,
                "display": display if value else _("nicht bewertet"),
                "definition": definition,
                "definitions": definitions,
            }
        )
    return result


# History -------------------------------------------------------------------------------

MEASURE_LABELS = {f.name: f.verbose_name for f in Measure._meta.fields}
GOAL_LABELS = {f.name: f.verbose_name for f in Goal._meta.fields}
MEASURE_CHOICES = {
    name: dict(Measure._meta.get_field(name).choices)
    for name in (
        "status",
        "cost_rating",
        "personnel_rating",
        "timeframe_rating",
        "quick_win",
        "traffic_light",
    )
}
# History entries of reporting rounds (`measure_record_event`) name the update's state change.
MEASURE_LABELS["report_state"] = _("Sachstandsmeldung")
GOAL_CHOICES = {"status": dict(GoalStatus.choices)}
KPI_LABELS = {f.name: f.verbose_name for f in KPI._meta.fields} | {"values": _("Werte")}
LIST_NOUNS = {"goals": _("Ziel"), "kpis": _("Kennzahl")}
LIST_LABELS = {"goals": (GOAL_LABELS, GOAL_CHOICES), "kpis": (KPI_LABELS, {})}


def _display(value, field: str, choices: dict, groups: dict) -> str:
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, list):  # KPI values: [{"date": ..., "value": ...}, ...]
        return "; ".join(
            f"{_display(v.get('date'), 'target_date', {}, groups)}: "
            f"{_display(v.get('value'), 'value', {}, groups)}"
            if isinstance(v, dict)
            else str(v)
            for v in value
        )
    if field == "working_group":
        return groups.get(value, str(value))
    if field in choices:
        return str(choices[field].get(value, value))
    if isinstance(value, bool):
        return str(_("ja") if value else _("nein"))
    if field in ("target_date",) and isinstance(value, str):
        try:
            return date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    if field.endswith("_estimate") or field in ("target_value", "value"):
        try:
            return format_decimal(Decimal(value))
        except (InvalidOperation, ValueError, TypeError):
            return str(value)
    return str(value)


def display_value(value, field: str, choices: dict, groups: dict) -> str:
    """One stored (plain) value as the history shows it."""
    return _display(value, field, choices, groups)


def describe_diff(diff: dict, *, groups: dict | None = None) -> list[dict]:
    """A stored diff as readable lines: German field labels and display values."""
    groups = groups or {}
    lines = []
    for key, change in diff.items():
        if isinstance(change, list) and change and isinstance(change[0], dict):
            noun = LIST_NOUNS.get(key, key)
            labels, choices = LIST_LABELS.get(key, ({}, {}))
            for item in change:
                entry = {
                    "kind": "item",
                    "action": item["action"],
                    "noun": str(noun),
                    "label": item["label"],
                    "fields": [],
                }
                for name, (old, new) in item.get("fields", {}).items():
                    if name == "id":
                        continue
                    entry["fields"].append(
                        {
                            "label": str(labels.get(name, name)),
                            "old": _display(old, name, choices, groups),
                            "new": _display(new, name, choices, groups),
                        }
                    )
                lines.append(entry)
        elif isinstance(change, list) and len(change) == 2:
            old, new = change
            lines.append(
                {
                    "kind": "field",
                    "label": str(MEASURE_LABELS.get(key, key)),
                    "old": _display(old, key, MEASURE_CHOICES, groups),
                    "new": _display(new, key, MEASURE_CHOICES, groups),
                }
            )
    return lines


def group_names() -> dict[int, str]:
    return {g.pk: f"{g.numeral} – {g.name}" for g in WorkingGroup.objects.all()}


def measure_history(*, measure: Measure) -> list[dict]:
    records = measure.changes.select_related("changed_by").order_by("-changed_at", "-id")
    return describe_records(records)


def describe_records(records) -> list[dict]:
    """Change records with their diffs in words, for the history and the conflict message."""
    records = list(records)
    # Group names are only needed to show a move between groups, which is rare.
    moved = any("working_group" in (r.diff or {}) for r in records)
    groups = group_names() if moved else {}
    return [{"record": r, "lines": describe_diff(r.diff, groups=groups)} for r in records]
