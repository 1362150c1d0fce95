"""Everything that changes measures and goals goes through these functions.

Views, the admin, imports and management commands call them, so validation, optimistic
locking and the change history hold on every path.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from masterplan.models import Programme, RatingKind, WorkingGroup
from masterplan.numbers import canonical_decimal
from masterplan.services import (
    ESTIMATE_FIELD_BY_KIND,
    legend_scales,
    rating_levels_from_estimates,
)

from .models import ChangeRecord, Goal, Measure, group_prefix_error
from .targets import read_target
from .text import normalize_text, normalize_texts

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
    # restore(measure, items, *, remove_later): bring back the items of an earlier state.
    # What was measured after that state stays unless `remove_later` is true.
    restore: Callable[..., None]
    # Optional: the same for many measures at once, {measure id: items}, for bulk imports.
    serialize_many: Callable[[list[int]], dict[int, list[dict]]] | None = None
    # Optional: what was measured since the earlier state `items`, for the restore preview:
    # [{"label": ..., "date": ..., "value": ..., "entered_by": ...}].
    later_entries: Callable[[Measure, list[dict]], list[dict]] | None = None


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
        return canonical_decimal(value)
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


def _change_record(*, measure: Measure, action: str, source: str, by, diff: dict, state: dict):
    """An unsaved history entry of the measure at its current version."""
    return ChangeRecord(
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


def _record(*, measure: Measure, action: str, source: str, by, diff: dict, state: dict):
    record = _change_record(
        measure=measure, action=action, source=source, by=by, diff=diff, state=state
    )
    record.save()
    return record


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
        errors["working_group"] = _("Die Arbeitsgruppe gehört zu einem anderen Programm.")
    elif message := group_prefix_error(measure.number, measure.working_group):
        errors["number"] = message
    if errors:
        raise ValidationError(errors)


def assign_fields(instance, data: dict, allowed: Iterable[str]) -> None:
    """Set the given fields; text as `normalize_text` spells it, whichever path it came by."""
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}")
    for field, value in data.items():
        setattr(instance, field, normalize_text(value))


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
            raise ValidationError(
                {"goals": _("Ziel %(id)s gehört nicht zu dieser Maßnahme.") % {"id": goal_id}}
            )
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


def measure_lock(*, measure_id: int) -> Measure:
    """The measure's row, locked until the surrounding transaction ends.

    Every write to a measure, its goals, its KPIs and their values takes this lock first and
    reads the state "before" only afterwards, so concurrent writes to one measure queue up and
    each history entry describes exactly its own change.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("measure_lock() only makes sense inside transaction.atomic().")
    return Measure.objects.select_for_update().get(pk=measure_id)


def measure_check_version(*, measure: Measure, expected_version: int) -> None:
    """Refuse with MeasureConflict when the (locked) measure moved past `expected_version`."""
    if measure.version != expected_version:
        changes = list(
            measure.changes.filter(measure_version__gt=expected_version).select_related(
                "changed_by"
            )
        )
        raise MeasureConflict(measure=measure, expected_version=expected_version, changes=changes)


@transaction.atomic
def measure_create(
    *,
    programme: Programme,
    data: dict,
    goals: list[dict] | None = None,
    extra: Callable[[Measure], None] | None = None,
    by=None,
    source: str = ChangeRecord.Source.WEB,
) -> Measure:
    """Create a measure with its goals; `extra` adds further parts (KPIs) before the history
    entry is written, so the "created" entry holds the whole measure."""
    measure = Measure(programme=programme)
    assign_fields(measure, data, MEASURE_FIELDS)
    _save_measure(measure)
    _save_goals(measure, goals or [])
    if extra is not None:
        extra(measure)
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
    locked = measure_lock(measure_id=measure.pk)
    measure_check_version(measure=locked, expected_version=expected_version)
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
    """Record what changed since `before` and bump the version; nothing if nothing changed.

    Runs in the transaction that holds the measure's lock (`measure_lock`). The version is
    counted up in the database, never from the value in memory, so two writes can never
    share a version.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("measure_record_change() runs inside the measure's transaction.")
    after = measure_state(measure)
    diff = state_diff(before, after)
    if not diff:
        return None
    bumped = Measure.objects.filter(pk=measure.pk)
    bumped.update(version=F("version") + 1, updated_at=timezone.now())
    measure.version, measure.updated_at = bumped.values_list("version", "updated_at").get()
    return _record(measure=measure, action=action, source=source, by=by, diff=diff, state=after)


def measure_record_event(
    *,
    measures: Iterable[Measure],
    label: str,
    by,
    diff: dict | None = None,
    comment: str = "",
    source: str = ChangeRecord.Source.WEB,
) -> list[ChangeRecord]:
    """Record a step that concerns measures without changing what they state (a status update
    submitted or approved, a reporting round closed): one history entry per measure with who,
    when, `label` (what happened), `diff` and `comment`. No new version, no state to restore.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("measure_record_event() runs inside the caller's transaction.")
    records = []
    for measure in measures:
        record = _change_record(
            measure=measure,
            action=ChangeRecord.Action.ROUND,
            source=source,
            by=by,
            diff=diff or {},
            state={},
        )
        record.object_type = "round"
        record.object_label = label[:300]
        record.comment = comment
        records.append(record)
    return ChangeRecord.objects.bulk_create(records, batch_size=500)


# --- The bulk path, for spreadsheet imports ------------------------------------------------
#
# The same history and versioning as measure_create / measure_update, in a fixed number of
# queries instead of several per measure. Callers validate every value before (field by
# field as full_clean would, plus the working group rule); these functions only save.

_CHUNK = 500


def in_chunks(items: list, size: int = _CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def measure_states(*, measure_ids: Iterable[int]) -> dict[int, dict]:
    """`measure_state` of many measures at once: {measure id: state}."""
    ids = sorted(set(measure_ids))
    measures: dict[int, Measure] = {}
    goals: dict[int, list[dict]] = defaultdict(list)
    for chunk in in_chunks(ids):
        measures.update(Measure.objects.in_bulk(chunk))
        for goal in Goal.objects.filter(measure_id__in=chunk).order_by("measure_id", "order", "id"):
            goals[goal.measure_id].append(goal_state(goal))
    parts = {}
    for part in _state_parts.values():
        if part.serialize_many is not None:
            parts[part.name] = part.serialize_many(ids)
        else:
            parts[part.name] = {pk: part.serialize(measure) for pk, measure in measures.items()}
    states = {}
    for pk, measure in measures.items():
        state = {
            name: plain_value(getattr(measure, name))
            for name in MEASURE_FIELDS
            if name != "working_group"
        }
        state["working_group"] = measure.working_group_id
        state = {name: state[name] for name in MEASURE_FIELDS}
        state["goals"] = goals.get(pk, [])
        for name, items in parts.items():
            state[name] = items.get(pk, [])
        states[pk] = state
    return states


def _derive_ratings(measure: Measure, scales: dict) -> None:
    """`apply_estimates` with the legend loaded once for all measures."""
    for kind, estimate_field in ESTIMATE_FIELD_BY_KIND.items():
        estimate = getattr(measure, estimate_field)
        scale = scales.get(kind)
        if estimate is None or scale is None or not scale.levels.all():
            continue
        setattr(measure, RATING_FIELD_BY_KIND[kind], scale.level_for(Decimal(estimate)))


def goals_replace_bulk(*, goals_by_measure: dict[int, list[dict]]) -> None:
    """Make each measure's goals the given list, as `measure_update(goals=...)` does.

    Items with an "id" update that goal; goals of these measures left out are deleted.
    Measures not in the dict keep their goals.
    """
    measure_ids = list(goals_by_measure)
    existing: dict[int, Goal] = {}
    for chunk in in_chunks(measure_ids):
        existing.update((goal.pk, goal) for goal in Goal.objects.filter(measure_id__in=chunk))
    now = timezone.now()
    to_create: list[Goal] = []
    to_update: list[Goal] = []
    changed_fields: set[str] = set()
    keep: set[int] = set()
    for measure_id, items in goals_by_measure.items():
        for position, item in enumerate(items):
            item = normalize_texts(item)
            goal_id = item.pop("id", None)
            item.setdefault("order", position + 1)
            if "target_date" not in item:
                reading = read_target(item.get("target", ""))
                item["target_date"], item["target_open_ended"] = reading.date, reading.open_ended
            if goal_id is None:
                to_create.append(Goal(measure_id=measure_id, updated_at=now, **item))
                continue
            goal = existing.get(goal_id)
            if goal is None or goal.measure_id != measure_id:
                raise ValueError(f"Goal {goal_id} does not belong to measure {measure_id}.")
            keep.add(goal_id)
            changes = {name for name, value in item.items() if getattr(goal, name) != value}
            if changes:
                assign_fields(goal, item, GOAL_FIELDS)
                goal.updated_at = now
                changed_fields |= changes
                to_update.append(goal)
    gone = [pk for pk in existing if pk not in keep]
    for chunk in in_chunks(gone):
        Goal.objects.filter(pk__in=chunk).delete()
    if to_update:
        Goal.objects.bulk_update(to_update, [*sorted(changed_fields), "updated_at"], _CHUNK)
    Goal.objects.bulk_create(to_create, batch_size=_CHUNK)


@dataclass
class BulkResult:
    created: list[Measure]
    changed: list[Measure]
    records: list[ChangeRecord]


@transaction.atomic
def measures_apply_bulk(
    *,
    programme: Programme,
    creates: list[dict],
    updates: dict[str, dict],
    goals: dict[str, list[dict]] | None = None,
    extra: Callable[[dict[str, Measure]], dict[int, dict]] | None = None,
    touched: Iterable[str] = (),
    by=None,
    source: str = ChangeRecord.Source.IMPORT,
) -> BulkResult:
    """Create and change many measures of a programme at once, with goals and history.

    - `creates`: the field values of new measures (MEASURE_FIELDS; "working_group" may be an
      instance or "working_group_id" an id).
    - `updates`: measure number -> the fields that change.
    - `goals`: measure number -> its complete list of goals (see `goals_replace_bulk`);
      measures left out keep theirs.
    - `extra`: saves further parts (KPIs) of the measures, given by number, in the same
      transaction; returns additional history entries per measure id ({key: changes}).
    - `touched`: numbers of existing measures `extra` may change, so their state before is
      kept for the history.

    Every measure whose state changed gets one ChangeRecord (with `source` and `by`) and a
    new version; new measures get a "created" record, as with `measure_create`.
    """
    goals = goals or {}
    existing = {
        measure.number: measure
        for measure in Measure.objects.select_for_update().filter(programme=programme)
    }
    affected_numbers = (set(updates) | set(goals) | set(touched)) & set(existing)
    before = measure_states(measure_ids=[existing[number].pk for number in affected_numbers])
    scales = legend_scales(programme=programme)
    now = timezone.now()

    new_measures = []
    for data in creates:
        measure = Measure(programme=programme, version=1, created_at=now, updated_at=now)
        assign_fields(measure, data, (*MEASURE_FIELDS, "working_group_id"))
        _derive_ratings(measure, scales)
        new_measures.append(measure)
    Measure.objects.bulk_create(new_measures, batch_size=_CHUNK)

    updated_fields: set[str] = set()
    updated = []
    for number, data in updates.items():
        measure = existing[number]
        assign_fields(measure, data, MEASURE_FIELDS)
        _derive_ratings(measure, scales)
        measure.updated_at = now
        updated_fields |= set(data) | set(RATING_FIELD_BY_KIND.values())
        updated.append(measure)
    if updated:
        Measure.objects.bulk_update(updated, [*sorted(updated_fields), "updated_at"], _CHUNK)

    by_number = {**existing, **{measure.number: measure for measure in new_measures}}
    goals_replace_bulk(
        goals_by_measure={by_number[number].pk: items for number, items in goals.items()}
    )
    extra_diffs = extra(by_number) if extra is not None else {}

    created_ids = [measure.pk for measure in new_measures]
    after = measure_states(measure_ids=[*before, *created_ids])
    records = []
    for measure in new_measures:
        records.append(
            _change_record(
                measure=measure,
                action=ChangeRecord.Action.CREATED,
                source=source,
                by=by,
                diff={},
                state=after[measure.pk],
            )
        )
    changed = []
    existing_by_pk = {measure.pk: measure for measure in existing.values()}
    for pk, state_before in before.items():
        diff = {**state_diff(state_before, after[pk]), **extra_diffs.get(pk, {})}
        if not diff:
            continue
        measure = existing_by_pk[pk]
        measure.version += 1
        measure.updated_at = now
        changed.append(measure)
        records.append(
            _change_record(
                measure=measure,
                action=ChangeRecord.Action.UPDATED,
                source=source,
                by=by,
                diff=diff,
                state=after[pk],
            )
        )
    if changed:
        Measure.objects.bulk_update(changed, ["version", "updated_at"], _CHUNK)
    ChangeRecord.objects.bulk_create(records, batch_size=_CHUNK)
    return BulkResult(created=new_measures, changed=changed, records=records)


def _known_ids(items: list[dict], existing: set[int]) -> list[dict]:
    """Items of an old state; ids of rows deleted since then are dropped, so they are recreated."""
    return [{**item, "id": item["id"] if item.get("id") in existing else None} for item in items]


@dataclass
class RestorePreview:
    """What restoring an earlier version would change, worked out by doing it and rolling back.

    `diff` is in the form of a ChangeRecord's diff; `later` lists what was measured since the
    version (KPI values entered or corrected later), which a restore keeps unless asked to
    remove it.
    """

    record: ChangeRecord
    version: int  # the measure's version the preview was made against
    diff: dict
    later: list[dict]
    remove_later: bool


class _PreviewDone(Exception):
    pass


def _restore_into(*, locked: Measure, state: dict, remove_later: bool) -> None:
    data = {field: state[field] for field in MEASURE_FIELDS if field in state}
    if "working_group" in data:
        group = WorkingGroup.objects.filter(
            pk=data["working_group"], programme=locked.programme_id
        ).first()
        if group is None:
            raise ValidationError({"working_group": _("Die Arbeitsgruppe gibt es nicht mehr.")})
        data["working_group"] = group
    assign_fields(locked, data, MEASURE_FIELDS)
    _save_measure(locked)
    existing_goals = set(locked.goals.values_list("pk", flat=True))
    _save_goals(locked, _known_ids(state.get("goals", []), existing_goals))
    for part in _state_parts.values():
        if part.name in state:
            part.restore(locked, state[part.name], remove_later=remove_later)


def _restorable_state(measure: Measure, change_record: ChangeRecord) -> dict:
    if change_record.measure_id != measure.pk:
        raise ValueError("The change record belongs to another measure.")
    if not change_record.state:
        raise ValidationError(_("Zu diesem Eintrag ist kein Stand gespeichert."))
    return change_record.state


def measure_restore_preview(
    *, measure: Measure, change_record: ChangeRecord, remove_later: bool = False
) -> RestorePreview:
    """What `measure_restore` would change now; changes nothing.

    The restore runs for real under the measure's lock and is rolled back, so the preview
    shows exactly what a confirmed restore (against the same version) does.
    """
    state = _restorable_state(measure, change_record)
    result: dict = {}
    try:
        with transaction.atomic():
            locked = measure_lock(measure_id=measure.pk)
            before = measure_state(locked)
            result["version"] = locked.version
            result["later"] = [
                entry
                for part in _state_parts.values()
                if part.later_entries is not None and part.name in state
                for entry in part.later_entries(locked, state[part.name])
            ]
            _restore_into(locked=locked, state=state, remove_later=remove_later)
            result["diff"] = state_diff(before, measure_state(locked))
            raise _PreviewDone
    except _PreviewDone:
        pass
    return RestorePreview(record=change_record, remove_later=remove_later, **result)


@transaction.atomic
def measure_restore(
    *,
    measure: Measure,
    change_record: ChangeRecord,
    by,
    expected_version: int | None = None,
    remove_later: bool = False,
    source: str = ChangeRecord.Source.WEB,
) -> ChangeRecord | None:
    """Bring the measure back to the state it had after `change_record`.

    Goals (and registered parts such as KPIs) deleted since then are created again. What was
    measured since (KPI values entered or corrected later) stays, with who entered it, unless
    `remove_later` asks to take it back to that version as well. `expected_version` is the
    version the admin's preview was made against: if the measure moved since, MeasureConflict.
    The restore is itself a change: it is recorded with the action "restored" and bumps the
    version, so editors who loaded the measure before get a conflict instead of overwriting it.
    Returns None when the measure already is in that state.
    """
    state = _restorable_state(measure, change_record)
    locked = measure_lock(measure_id=measure.pk)
    if expected_version is not None:
        measure_check_version(measure=locked, expected_version=expected_version)
    before = measure_state(locked)
    _restore_into(locked=locked, state=state, remove_later=remove_later)
    return measure_record_change(
        measure=locked, before=before, by=by, source=source, action=ChangeRecord.Action.RESTORED
    )
