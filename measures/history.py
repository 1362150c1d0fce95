"""The history of a measure as one aggregate: the measure, its goals, its KPIs and their values.

`measure_state` turns the aggregate into plain JSON (what a ChangeRecord keeps),
`state_diff` compares two states, `measure_record_change` writes the history entry and bumps
the version, and `measure_restore` brings an earlier state back. KPIs live in the `kpis` app;
its models are imported here directly (their ForeignKey names "measures.Measure" by string).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kpis.models import KPI, KPIValue
from masterplan.models import WorkingGroup
from masterplan.numbers import canonical_decimal, format_decimal
from masterplan.services import public_data_changed

from .models import ChangeRecord, Goal, Measure
from .rows import GOALS, KPIS, MEASURE_FIELDS, children_replace, in_chunks, measure_save_fields

GOAL_FIELDS = GOALS.fields
KPI_FIELDS = KPIS.fields


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


# --- State: the aggregate as plain JSON ----------------------------------------------------


def plain_value(value: Any) -> Any:
    if value is None or type(value) in (str, int, bool):  # most values, at once
        return value
    if isinstance(value, Decimal):
        return canonical_decimal(value)
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def goal_state(goal: Goal) -> dict:
    return {"id": goal.pk, **{field: plain_value(getattr(goal, field)) for field in GOAL_FIELDS}}


def kpi_state(kpi: KPI) -> dict:
    return _kpi_state(kpi, kpi.values.all())


def _kpi_state(kpi: KPI, kpi_values) -> dict:
    values = [
        {
            "date": value.date.isoformat(),
            "value": plain_value(value.value),
            "note": value.note,
            # Who measured it, so a restore that brings a value back keeps its author.
            "entered_by": value.entered_by_id,
        }
        for value in kpi_values
    ]
    return {
        "id": kpi.pk,
        **{field: plain_value(getattr(kpi, field)) for field in KPI_FIELDS},
        "values": values,
    }


def _fields_state(measure: Measure) -> dict:
    # The working group by its id, without loading the group (one query per measure).
    return {
        field: measure.working_group_id
        if field == "working_group"
        else plain_value(getattr(measure, field))
        for field in MEASURE_FIELDS
    }


def new_measure_state(*, measure: Measure, goals: list[Goal], kpis: list[KPI], values) -> dict:
    """`measure_state` of a measure just written, from the rows in memory instead of a re-read.

    `goals`, `kpis`: its rows (saved, with their ids); `values`: {KPI id: its KPIValue rows}.
    """
    state = _fields_state(measure)
    state["goals"] = [goal_state(goal) for goal in sorted(goals, key=_by_order)]
    state["kpis"] = [
        _kpi_state(kpi, sorted(values.get(kpi.pk, []), key=lambda value: value.date))
        for kpi in sorted(kpis, key=_by_order)
    ]
    return state


def _by_order(row) -> tuple:
    return (row.order, row.pk)


def measure_state(measure: Measure) -> dict:
    """The whole measure as plain JSON: what the history keeps and a restore brings back."""
    state = _fields_state(measure)
    state["goals"] = [goal_state(goal) for goal in measure.goals.order_by("order", "id")]
    kpis = measure.kpis.order_by("order", "id").prefetch_related("values")
    state["kpis"] = [kpi_state(kpi) for kpi in kpis]
    return state


def measure_states(*, measure_ids: Iterable[int]) -> dict[int, dict]:
    """`measure_state` of many measures at once, in a few queries: {measure id: state}."""
    ids = sorted(set(measure_ids))
    measures: dict[int, Measure] = {}
    goals: dict[int, list[dict]] = defaultdict(list)
    kpis: dict[int, list[dict]] = defaultdict(list)
    for chunk in in_chunks(ids):
        measures.update(Measure.objects.in_bulk(chunk))
        for goal in Goal.objects.filter(measure_id__in=chunk).order_by("measure_id", "order", "id"):
            goals[goal.measure_id].append(goal_state(goal))
        rows = KPI.objects.filter(measure_id__in=chunk).prefetch_related("values")
        for kpi in rows.order_by("measure_id", "order", "id"):
            kpis[kpi.measure_id].append(kpi_state(kpi))
    return {
        pk: {**_fields_state(measure), "goals": goals.get(pk, []), "kpis": kpis.get(pk, [])}
        for pk, measure in measures.items()
    }


# --- Diff ------------------------------------------------------------------------------------


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


# --- Record ----------------------------------------------------------------------------------


def change_record(*, measure: Measure, action: str, source: str, by, diff: dict, state: dict):
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


def measure_record_created(*, measure: Measure, by, source: str) -> ChangeRecord:
    """The "created" entry of a new measure, holding the whole measure."""
    record = change_record(
        measure=measure,
        action=ChangeRecord.Action.CREATED,
        source=source,
        by=by,
        diff={},
        state=measure_state(measure),
    )
    record.save()
    public_data_changed(programme_ids=[measure.programme_id])
    return record


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
    record = change_record(
        measure=measure, action=action, source=source, by=by, diff=diff, state=after
    )
    record.save()
    public_data_changed(programme_ids=[measure.programme_id])
    return record


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
        record = change_record(
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
    # An approval sets the measure's Ampel and the public status; a round closed or reopened
    # may change which update is the latest approved one.
    public_data_changed(programme_ids={record.measure.programme_id for record in records})
    return ChangeRecord.objects.bulk_create(records, batch_size=500)


# --- Restore ---------------------------------------------------------------------------------


def _known_ids(items: list[dict], existing: set[int]) -> list[dict]:
    """Items of an old state; ids of rows deleted since then are dropped, so they are recreated."""
    return [{**item, "id": item["id"] if item.get("id") in existing else None} for item in items]


def _value_key(item: dict) -> str:
    return str(item["date"])


def _later_values(kpi: KPI | None, old_values: list[dict]) -> list[tuple[KPIValue, dict | None]]:
    """The KPI's values entered or corrected since `old_values`, each with its old item."""
    if kpi is None:
        return []
    old_by_date = {_value_key(item): item for item in old_values}
    later = []
    for value in kpi.values.all():
        old = old_by_date.get(value.date.isoformat())
        if old is None or (plain_value(value.value), value.note) != (old["value"], old["note"]):
            later.append((value, old))
    return later


def _match_kpis(measure: Measure, items: list[dict]) -> tuple[dict[int, KPI], list[KPI]]:
    """Current KPIs for the items of an earlier state (by id, else by name) and the others."""
    current = {kpi.pk: kpi for kpi in measure.kpis.prefetch_related("values")}
    by_name = {kpi.name: kpi for kpi in current.values()}
    matched: dict[int, KPI] = {}
    for position, item in enumerate(items):
        kpi = current.get(item.get("id")) or by_name.get(item["name"])
        if kpi is not None and kpi not in matched.values():
            matched[position] = kpi
    others = [kpi for kpi in current.values() if kpi not in matched.values()]
    return matched, others


def _restore_kpis(measure: Measure, items: list[dict], *, remove_later: bool = False) -> None:
    """Bring back the KPIs (and values) of an earlier state.

    KPI definitions return to that state; KPIs deleted since are created anew. Values are
    measurements, not versions: values deleted since come back (with who entered them), but
    values entered or corrected since stay as they are, and a KPI added since keeps its
    values, unless `remove_later` takes the values back to that state as well.
    """
    matched, others = _match_kpis(measure, items)
    kept_later = [kpi for kpi in others if not remove_later and kpi.values.exists()]
    definitions = [
        {
            **{key: value for key, value in item.items() if key not in ("values", "id")},
            **({"id": matched[position].pk} if position in matched else {}),
        }
        for position, item in enumerate(items)
    ]
    definitions += [
        {"id": kpi.pk, **{field: getattr(kpi, field) for field in KPI_FIELDS}} for kpi in kept_later
    ]
    for position, item in enumerate(definitions, start=1):
        item["order"] = position
    children_replace(measure=measure, kind=KPIS, items=definitions)

    authors = {value.get("entered_by") for item in items for value in item.get("values", [])}
    users = set(
        get_user_model().objects.filter(pk__in=authors - {None}).values_list("pk", flat=True)
    )
    kpis_by_name = {kpi.name: kpi for kpi in measure.kpis.all()}
    for item in items:
        kpi = kpis_by_name[item["name"]]
        current = {value.date.isoformat(): value for value in kpi.values.all()}
        old_values = {_value_key(value): value for value in item.get("values", [])}
        for day, old in old_values.items():
            value = current.get(day)
            author = old.get("entered_by") if old.get("entered_by") in users else None
            if value is None:
                KPIValue.objects.create(
                    kpi=kpi,
                    date=date.fromisoformat(day),
                    value=old["value"],
                    note=old["note"],
                    entered_by_id=author,
                )
            elif remove_later and (plain_value(value.value), value.note) != (
                old["value"],
                old["note"],
            ):
                value.value, value.note = old["value"], old["note"]
                if "entered_by" in old:
                    value.entered_by_id = author
                value.save(update_fields=["value", "note", "entered_by"])
        if remove_later:
            kpi.values.exclude(date__in=list(old_values)).delete()


def _later_kpi_entries(measure: Measure, items: list[dict]) -> list[dict]:
    """For the restore preview: values measured since the earlier state `items`."""
    matched, others = _match_kpis(measure, items)
    pairs = [(matched.get(position), item.get("values", [])) for position, item in enumerate(items)]
    pairs += [(kpi, []) for kpi in others]
    entries = []
    for kpi, old_values in pairs:
        for value, old in _later_values(kpi, old_values):
            entries.append(
                {
                    "label": kpi.name,
                    "date": value.date,
                    "value": format_decimal(value.value),
                    "note": value.note,
                    "old_value": format_decimal(Decimal(old["value"])) if old else None,
                    # Shown through masterplan.privacy.person_name (it depends on the viewer).
                    "entered_by": value.entered_by,
                }
            )
    return entries


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
    measure_save_fields(measure=locked, data=data)
    existing_goals = set(locked.goals.values_list("pk", flat=True))
    children_replace(
        measure=locked, kind=GOALS, items=_known_ids(state.get("goals", []), existing_goals)
    )
    if "kpis" in state:
        _restore_kpis(locked, state["kpis"], remove_later=remove_later)


def _restorable_state(measure: Measure, record: ChangeRecord) -> dict:
    if record.measure_id != measure.pk:
        raise ValueError("The change record belongs to another measure.")
    if not record.state:
        raise ValidationError(_("Zu diesem Eintrag ist kein Stand gespeichert."))
    return record.state


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
            result["later"] = _later_kpi_entries(locked, state["kpis"]) if "kpis" in state else []
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

    Goals and KPIs deleted since then are created again. What was measured since (KPI values
    entered or corrected later) stays, with who entered it, unless `remove_later` asks to take
    it back to that version as well. `expected_version` is the version the admin's preview
    was made against: if the measure moved since, MeasureConflict. The restore is itself a
    change: it is recorded with the action "restored" and bumps the version, so editors who
    loaded the measure before get a conflict instead of overwriting it. Returns None when the
    measure already is in that state.
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
