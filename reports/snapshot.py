"""Freezing what a status report shows into plain JSON.

The snapshot is the only input of the renderer: an old report is re-rendered from its snapshot
alone, whatever happened to the measures since. Labels are stored as printed (in the language
the report was built in), so a later change to a choice label does not change an old report.
"""

from datetime import date

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import get_language

from kpis.models import KPI, KPIValue
from masterplan.models import (
    LEVEL_CHOICES_BY_KIND,
    RATING_FIELD_BY_KIND,
    Programme,
    RatingScale,
)
from masterplan.numbers import canonical_decimal
from measures.models import Goal, Measure
from rounds.models import TrafficLight, withhold_internal
from rounds.selectors import round_statuses

SNAPSHOT_VERSION = 1


def _legend(programme: Programme) -> list[dict]:
    scales = RatingScale.objects.filter(programme=programme).prefetch_related("levels")
    return [
        {
            "kind": scale.kind,
            "label": scale.label,
            "note": scale.note,
            "levels": [
                {
                    "level": level.level,
                    "label": _level_label(scale.kind, level.level),
                    "definition": level.definition,
                }
                for level in scale.levels.all()
            ],
        }
        for scale in scales
    ]


def _level_label(kind: str, level: str) -> str:
    choices = LEVEL_CHOICES_BY_KIND.get(kind)
    if choices is None or not level:
        return level
    return str(dict(choices.choices).get(level, level))


def _goal(goal: Goal, today: date) -> dict:
    return {
        "id": goal.pk,
        "category": goal.category,
        "text": goal.text,
        "target": goal.target,
        "target_date": goal.target_date.isoformat() if goal.target_date else None,
        "target_open_ended": goal.target_open_ended,
        "status": goal.status,
        "status_label": goal.get_status_display(),
        "progress_note": goal.progress_note,
        "overdue": goal.is_overdue(today),
    }


def _kpi(kpi: KPI) -> dict:
    # `values` holds the values known on the report date (`KPIValueQuerySet.as_of`, prefetched
    # in `report_snapshot`); the last is the latest, as on the measure page.
    values = kpi.values.all()
    return {
        "id": kpi.pk,
        "name": kpi.name,
        "unit": kpi.unit,
        "target": kpi.target,
        "target_value": canonical_decimal(kpi.target_value),
        "target_date": kpi.target_date.isoformat() if kpi.target_date else None,
        "values": [
            {
                "date": value.date.isoformat(),
                "value": canonical_decimal(value.value),
                "note": value.note,
            }
            for value in values
        ],
    }


def _round_status(status: dict | None, *, round_name: str, include_internal: bool) -> dict | None:
    """A measure's status in the round (`rounds.selectors.round_statuses`), as the PDF shows it.

    `current`: it comes from this round (approved, or submitted and marked "nicht freigegeben");
    otherwise it is the last approved update of the earlier round named in `round`.
    """
    if status is None:
        return None
    status = dict(status, current=status["round"] == round_name)
    if not include_internal:
        status = withhold_internal(status)
    return status


def _measure(measure: Measure, legend_labels: dict[str, str], today: date) -> dict:
    return {
        "number": measure.number,
        "title": measure.title,
        "description": measure.description,
        "status": measure.status,
        "status_label": measure.get_status_display(),
        "responsible_units": measure.responsible_units,
        "ratings": [
            {
                "kind": kind,
                "label": legend_labels.get(kind) or str(kind.label),
                "level": getattr(measure, field),
                "level_label": getattr(measure, f"get_{field}_display")(),
            }
            for kind, field in RATING_FIELD_BY_KIND.items()
        ],
        "goals": [_goal(goal, today) for goal in measure.goals.all()],
        "kpis": [_kpi(kpi) for kpi in measure.kpis.all()],
    }


def report_snapshot(
    *,
    programme: Programme,
    title: str,
    ds_number: str,
    report_date: date,
    working_group_numbers: list[int] | None = None,
    round=None,
    include_internal: bool = True,
) -> dict:
    """Everything the PDF shows, read in a handful of queries (not one per measure).

    `working_group_numbers` empty or None means the whole programme. Goals are judged overdue
    relative to the report date, not to the day the report happens to be built. With a
    reporting `round`, each measure carries the status the round reports (`round_status`) and
    the snapshot a `round` part (name, Stichtag, completion); `include_internal=False` leaves
    the internal fields (`rounds.models.withhold_internal`) out of the frozen data altogether.
    """
    groups = programme.working_groups.order_by("number")
    if working_group_numbers:
        groups = groups.filter(number__in=working_group_numbers)
    groups = list(groups)
    legend = _legend(programme)
    legend_labels = {scale["kind"]: scale["label"] for scale in legend}
    measures = (
        Measure.objects.filter(working_group__in=groups)
        .in_number_order()
        .prefetch_related(
            Prefetch("goals", queryset=Goal.objects.order_by("order", "id")),
            Prefetch(
                "kpis",
                queryset=KPI.objects.order_by("order", "id").prefetch_related(
                    Prefetch("values", queryset=KPIValue.objects.as_of(report_date))
                ),
            ),
        )
    )
    statuses = round_statuses(round=round) if round is not None else None
    by_group: dict[int, list[dict]] = {group.pk: [] for group in groups}
    for measure in measures:
        frozen = _measure(measure, legend_labels, report_date)
        if statuses is not None:
            frozen["round_status"] = _round_status(
                statuses.get(measure.pk), round_name=round.name, include_internal=include_internal
            )
        by_group[measure.working_group_id].append(frozen)
    snapshot = {
        "version": SNAPSHOT_VERSION,
        "language": get_language() or "de",
        "frozen_at": timezone.now().isoformat(),
        "report": {
            "title": title,
            "ds_number": ds_number,
            "report_date": report_date.isoformat(),
        },
        "programme": {
            "name": programme.name,
            "organisation": programme.organisation,
            "numbering_note": programme.numbering_note,
        },
        "legend": legend,
        "groups": [
            {
                "number": group.number,
                "numeral": group.numeral,
                "name": group.name,
                "measures": by_group[group.pk],
            }
            for group in groups
        ],
    }
    if round is not None:
        frozen_measures = [measure for group in by_group.values() for measure in group]
        snapshot["round"] = {
            "name": round.name,
            "reporting_date": round.reporting_date.isoformat(),
            "include_unapproved": round.include_unapproved,
            "include_internal": include_internal,
            # The Ampel's words as printed, for the summary's columns (also those nobody chose).
            "lights": [{"value": light.value, "label": str(light.label)} for light in TrafficLight],
            "measures": len(frozen_measures),
            "approved": sum(
                1
                for measure in frozen_measures
                if (status := measure["round_status"]) and status["current"] and status["approved"]
            ),
        }
    return snapshot
