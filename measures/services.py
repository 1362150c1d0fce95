"""Everything that changes measures and goals goes through these functions.

Views, the admin, imports and management commands call them, so validation, optimistic
locking and the change history hold on every path.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from masterplan.models import Programme, RatingKind, WorkingGroup
from masterplan.services import rating_levels_from_estimates

from .models import ChangeRecord, Goal, Measure
from .targets import read_target

MEASURE_FIELDS = (
    "number",
    "working_group",
    "title",
    "description",
    "status",
    "responsible_units",
    "cost_rating",
    "personnel_rating",
    "timeframe_rating",
    "quick_win",
    "cost_estimate",
    "personnel_estimate",
    "duration_estimate",
)
GOAL_FIELDS = (
    "category",
    "order",
    "text",
    "target",
    "target_date",
    "target_open_ended",
    "status",
    "progress_note",
)
RATING_FIELD_BY_KIND = {
    RatingKind.COST: "cost_rating",
    RatingKind.PERSONNEL: "personnel_rating",
    RatingKind.TIMEFRAME: "timeframe_rating",
}


@dataclass(frozen=True)
class StatePart:
    """A kind of child record another app hangs on a measure (KPIs, for example).

    Registered so that history and restore cover it without `measures` importing that app.
    """

    name: str
    serialize: Callable[[Measure], list[dict]]
    restore: Callable[[Measure, list[dict]], None]


_state_parts: dict[str, StatePart] = {}


def register_state_part(part: StatePart) -> None:
    _state_parts[part.name] = part


class MeasureConflict(Exception):
    """Someone else saved the measure since the editor loaded it."""

    def __init__(self, *, measure: Measure, expected_version: int, changes: list[ChangeRecord]):
        self.measure = measure
        self.expected_version = expected_version
        self.changes = changes
        super().__init__(
            f"Measure {measure.number} is at version {measure.version}, "
            f"the edit was based on version {expected_version}."
        )


def plain_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value.to_integral() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def goal_state(goal: Goal) -> dict:
    return {"id": goal.pk, **{field: plain_value(getattr(goal, field)) for field in GOAL_FIELDS}}


def measure_state(measure: Measure) -> dict:
    """The whole measure as plain JSON: what the history keeps and a restore brings back."""
    state = {field: plain_value(getattr(measure, field)) for field in MEASURE_FIELDS}
    state["working_group"] = measure.working_group_id
    state["goals"] = [goal_state(goal) for goal in measure.goals.order_by("order", "id")]
    for part in _state_parts.values():
        state[part.name] = part.serialize(measure)
    return state


def state_diff(before: dict, after: dict) -> dict:
    """Field-level differences: {field: [old, new]} and, for child lists, per-item changes."""
    diff: dict[str, Any] = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if isinstance(old, list) or isinstance(new, list):
            item_changes = _list_diff(old or [], new or [])
            if item_changes:
                diff[key] = item_changes
        elif old != new:
            diff[key] = [old, new]
    return diff


def _item_label(item: dict) -> str:
    return str(item.get("text") or item.get("name") or item.get("id"))


def _list_diff(old_items: list[dict], new_items: list[dict]) -> list[dict]:
    old_by_id = {item["id"]: item for item in old_items}
    new_by_id = {item["id"]: item for item in new_items}
    changes = []
    for item_id, item in new_by_id.items():
        if item_id not in old_by_id:
            changes.append({"action": "added", "label": _item_label(item), "item": item})
            continue
        fields = {
            field: [old_by_id[item_id].get(field), value]
            for field, value in item.items()
            if old_by_id[item_id].get(field) != value
        }
        if fields:
            changes.append({"action": "changed", "label": _item_label(item), "fields": fields})
    for item_id, item in old_by_id.items():
        if item_id not in new_by_id:
            changes.append({"action": "removed", "label": _item_label(item), "item": item})
    return changes


def _record(
    *,
    measure: Measure,
    action: str,
    source: str,
    by,
    diff: dict,
    state: dict,
) -> ChangeRecord:
    return ChangeRecord.objects.create(
        measure=measure,
        measure_version=measure.version,
        object_type="measure",
        object_label=str(measure)[:300],
        action=action,
        source=source,
        diff=diff,
        state=state,
        changed_by=by if getattr(by, "is_authenticated", False) else None,
    )


def apply_estimates(measure: Measure) -> None:
    """Set the rating levels that follow from the estimates given, by the legend's thresholds."""
    estimates = {
        "cost_estimate": measure.cost_estimate,
        "personnel_estimate": measure.personnel_estimate,
        "duration_estimate": measure.duration_estimate,
    }
    derived = rating_levels_from_estimates(programme=measure.programme, estimates=estimates)
    for kind, level in derived.items():
        setattr(measure, RATING_FIELD_BY_KIND[kind], level)


def validate_working_group(measure: Measure) -> None:
    errors = {}
    if measure.working_group.programme_id != measure.programme_id:
        errors["working_group"] = "Die Arbeitsgruppe gehört zu einem anderen Programm."
    elif measure.number and "." in measure.number:
        group_number = measure.number.split(".", 1)[0]
        if group_number != str(measure.working_group.number):
            errors["number"] = (
                f"Maßnahmen der Arbeitsgruppe {measure.working_group.numeral} "
                f"beginnen mit „{measure.working_group.number}.“."
            )
    if errors:
        raise ValidationError(errors)


def assign_fields(instance, data: dict, allowed: Iterable[str]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}")
    for field, value in data.items():
        setattr(instance, field, value)


def _save_measure(measure: Measure) -> None:
    apply_estimates(measure)
    measure.full_clean(exclude=["version"])
    validate_working_group(measure)
    measure.save()


def _save_goals(measure: Measure, goals: list[dict]) -> None:
    """Replace the measure's goals by the given list; items with an "id" are updated."""
    existing = {goal.pk: goal for goal in measure.goals.all()}
    errors = {}
    keep = set()
    for position, item in enumerate(goals):
        item = dict(item)
        goal_id = item.pop("id", None)
        goal = existing.get(goal_id) if goal_id else Goal(measure=measure)
        if goal is None:
            raise ValidationError({"goals": f"Ziel {goal_id} gehört nicht zu dieser Maßnahme."})
        item.setdefault("order", position + 1)
        if "target_date" not in item:
            reading = read_target(item.get("target", goal.target))
            item["target_date"], item["target_open_ended"] = reading.date, reading.open_ended
        assign_fields(goal, item, GOAL_FIELDS)
        try:
            goal.full_clean(exclude=["measure"])
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors[f"goals-{position}-{field}"] = messages
            continue
        goal.save()
        keep.add(goal.pk)
    if errors:
        raise ValidationError(errors)
    measure.goals.exclude(pk__in=keep).delete()


@transaction.atomic
def measure_create(
    *,
    programme: Programme,
    data: dict,
    goals: list[dict] | None = None,
    by=None,
    source: str = ChangeRecord.Source.WEB,
) -> Measure:
    measure = Measure(programme=programme)
    assign_fields(measure, data, MEASURE_FIELDS)
    _save_measure(measure)
    _save_goals(measure, goals or [])
    _record(
        measure=measure,
        action=ChangeRecord.Action.CREATED,
        source=source,
        by=by,
        diff={},
        state=measure_state(measure),
    )
    return measure


@transaction.atomic
def measure_update(
    *,
    measure: Measure,
    data: dict,
    expected_version: int,
    goals: list[dict] | None = None,
    extra: Callable[[Measure], None] | None = None,
    by=None,
    source: str = ChangeRecord.Source.WEB,
) -> Measure:
    """Save changes to a measure (and, if given, its full list of goals).

    Refuses with MeasureConflict when the measure was saved by someone else after
    `expected_version` was read. `extra` saves further parts (KPIs) in the same transaction.
    Returns the measure; a save that changes nothing records no history and keeps the version.
    """
    locked = Measure.objects.select_for_update().get(pk=measure.pk)
    if locked.version != expected_version:
        changes = list(
            locked.changes.filter(measure_version__gt=expected_version).select_related("changed_by")
        )
        raise MeasureConflict(measure=locked, expected_version=expected_version, changes=changes)
    before = measure_state(locked)
    assign_fields(locked, data, MEASURE_FIELDS)
    _save_measure(locked)
    if goals is not None:
        _save_goals(locked, goals)
    if extra is not None:
        extra(locked)
    measure_record_change(measure=locked, before=before, by=by, source=source)
    return locked


def measure_record_change(
    *, measure: Measure, before: dict, by, source: str, action: str = ChangeRecord.Action.UPDATED
) -> ChangeRecord | None:
    """Record what changed since `before` and bump the version; nothing if nothing changed."""
    after = measure_state(measure)
    diff = state_diff(before, after)
    if not diff:
        return None
    measure.version += 1
    Measure.objects.filter(pk=measure.pk).update(version=measure.version)
    return _record(measure=measure, action=action, source=source, by=by, diff=diff, state=after)


def _known_ids(items: list[dict], existing: set[int]) -> list[dict]:
    """Items of an old state; ids of rows deleted since then are dropped, so they are recreated."""
    return [{**item, "id": item["id"] if item.get("id") in existing else None} for item in items]


@transaction.atomic
def measure_restore(
    *, measure: Measure, change_record: ChangeRecord, by, source: str = ChangeRecord.Source.WEB
) -> ChangeRecord | None:
    """Bring the measure back to the state it had after `change_record`.

    Goals (and registered parts such as KPIs) deleted since then are created again. The
    restore is itself a change: it is recorded with the action "restored" and bumps the
    version, so editors who loaded the measure before get a conflict instead of overwriting it.
    Returns None when the measure already is in that state.
    """
    if change_record.measure_id != measure.pk:
        raise ValueError("The change record belongs to another measure.")
    state = change_record.state
    if not state:
        raise ValidationError("Zu diesem Eintrag ist kein Stand gespeichert.")
    locked = Measure.objects.select_for_update().get(pk=measure.pk)
    before = measure_state(locked)
    data = {field: state[field] for field in MEASURE_FIELDS if field in state}
    if "working_group" in data:
        group = WorkingGroup.objects.filter(
            pk=data["working_group"], programme=locked.programme_id
        ).first()
        if group is None:
            raise ValidationError({"working_group": "Die Arbeitsgruppe gibt es nicht mehr."})
        data["working_group"] = group
    assign_fields(locked, data, MEASURE_FIELDS)
    _save_measure(locked)
    existing_goals = set(locked.goals.values_list("pk", flat=True))
    _save_goals(locked, _known_ids(state.get("goals", []), existing_goals))
    for part in _state_parts.values():
        if part.name in state:
            part.restore(locked, state[part.name])
    return measure_record_change(
        measure=locked, before=before, by=by, source=source, action=ChangeRecord.Action.RESTORED
    )
