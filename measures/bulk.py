"""Bulk writes of many measure aggregates at once, for spreadsheet imports.

The same history and versioning as `measure_create` / `measure_update`, in a fixed number of
queries instead of several per measure; new rows are saved by `rows.rows_insert` (COPY on
PostgreSQL). Callers validate every value before (field by field
as full_clean would, plus the working group rule); these functions only save.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from kpis.models import KPI, KPIValue
from masterplan.models import ESTIMATE_FIELD_BY_KIND, RATING_FIELD_BY_KIND, Programme
from masterplan.services import legend_scales, public_data_changed

from .history import change_record, measure_states, new_measure_state, state_diff
from .models import ChangeRecord, Measure
from .rows import (
    CHUNK,
    GOALS,
    KPIS,
    MEASURE_FIELDS,
    assign_fields,
    children_replace_bulk,
    derive_ratings,
    in_chunks,
    rows_insert,
)
from .text import normalize_text

DERIVED_RATING_FIELDS = [RATING_FIELD_BY_KIND[kind] for kind in ESTIMATE_FIELD_BY_KIND]


def goals_replace_bulk(*, goals_by_measure: dict[int, list[dict]]) -> None:
    """Make each measure's goals the given list, as `measure_update(goals=...)` does."""
    children_replace_bulk(kind=GOALS, items_by_measure=goals_by_measure)


def kpis_replace_bulk(*, kpis_by_measure: dict[int, list[dict]]) -> None:
    """Make each measure's KPIs the given list, as `measure_update(kpis=...)` does."""
    children_replace_bulk(kind=KPIS, items_by_measure=kpis_by_measure)


def kpi_values_replace_bulk(
    *,
    values_by_measure: dict[int, list[dict]],
    by=None,
    new_measures: Iterable[int] = (),
    new_kpis: Iterable[KPI] = (),
) -> list[KPIValue]:
    """Make the values of each measure's KPIs the given list; the caller has validated them.

    Items: {"kpi": KPI name, "date", "value", "note"}; a value is matched by KPI and date.
    Values of these measures' KPIs left out are deleted. The changes show in the measure's
    history through the KPI state (see `measures_apply_bulk`). Returns the new values.
    Measures just created (`new_measures`, with their `new_kpis`) have nothing to read.
    """
    new_measures = set(new_measures)
    kpis: dict[tuple[int, str], KPI] = {
        (kpi.measure_id, kpi.name): kpi for kpi in new_kpis if kpi.measure_id in new_measures
    }
    existing: dict[tuple[int, object], KPIValue] = {}
    for chunk in in_chunks([pk for pk in values_by_measure if pk not in new_measures]):
        for kpi in KPI.objects.filter(measure_id__in=chunk):
            kpis[(kpi.measure_id, kpi.name)] = kpi
        for value in KPIValue.objects.filter(kpi__measure_id__in=chunk):
            existing[(value.kpi_id, value.date)] = value
    author = by if getattr(by, "is_authenticated", False) else None
    to_create, to_update, keep = [], [], set()
    for measure_id, items in values_by_measure.items():
        for item in items:
            kpi = kpis[(measure_id, item["kpi"])]
            note = normalize_text(item.get("note", ""))
            current = existing.get((kpi.pk, item["date"]))
            if current is None:
                to_create.append(
                    KPIValue(
                        kpi=kpi,
                        date=item["date"],
                        value=item["value"],
                        note=note,
                        entered_by=author,
                    )
                )
                continue
            keep.add(current.pk)
            if current.value != item["value"] or current.note != note:
                current.value, current.note = item["value"], note
                current.entered_by = author or current.entered_by
                to_update.append(current)
    gone = [value.pk for value in existing.values() if value.pk not in keep]
    for chunk in in_chunks(gone):
        KPIValue.objects.filter(pk__in=chunk).delete()
    if to_update:
        KPIValue.objects.bulk_update(to_update, ["value", "note", "entered_by"], CHUNK)
    return rows_insert(to_create)


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
    kpis: dict[str, list[dict]] | None = None,
    kpi_values: dict[str, list[dict]] | None = None,
    by=None,
    source: str = ChangeRecord.Source.IMPORT,
    ratings_derived: bool = False,
) -> BulkResult:
    """Create and change many measures of a programme at once, with goals, KPIs and history.

    - `creates`: the field values of new measures (MEASURE_FIELDS; "working_group" may be an
      instance or "working_group_id" an id).
    - `updates`: measure number -> the fields that change.
    - `goals`, `kpis`: measure number -> its complete list of goals / KPIs (see
      `children_replace_bulk`); measures left out keep theirs.
    - `kpi_values`: measure number -> the complete list of its KPIs' values
      (`kpi_values_replace_bulk`, entered by `by`).
    - `ratings_derived`: the caller has already set the ratings that follow from the
      estimates (`ratings_from_estimates` with this programme's legend, as the import plan
      does) in `creates` and in each update's changed fields; else they are derived here.

    Every measure whose state changed gets one ChangeRecord (with `source` and `by`) and a
    new version; new measures get a "created" record, as with `measure_create`.
    """
    goals, kpis, kpi_values = goals or {}, kpis or {}, kpi_values or {}
    existing = {
        measure.number: measure
        for measure in Measure.objects.select_for_update().filter(programme=programme)
    }
    affected_numbers = (set(updates) | set(goals) | set(kpis) | set(kpi_values)) & set(existing)
    before = measure_states(measure_ids=[existing[number].pk for number in affected_numbers])
    scales = None if ratings_derived else legend_scales(programme=programme)
    now = timezone.now()

    new_measures = []
    for data in creates:
        measure = Measure(programme=programme, version=1, created_at=now, updated_at=now)
        assign_fields(measure, data, (*MEASURE_FIELDS, "working_group_id"))
        if scales is not None:
            derive_ratings(measure, scales)
        new_measures.append(measure)
    rows_insert(new_measures)

    updated_fields: set[str] = set()
    updated = []
    for number, data in updates.items():
        measure = existing[number]
        assign_fields(measure, data, MEASURE_FIELDS)
        measure.updated_at = now
        updated_fields |= set(data)
        if scales is not None:
            derive_ratings(measure, scales)
            updated_fields |= set(DERIVED_RATING_FIELDS)
        updated.append(measure)
    if updated:
        Measure.objects.bulk_update(updated, [*sorted(updated_fields), "updated_at"], CHUNK)

    by_number = {**existing, **{measure.number: measure for measure in new_measures}}

    def by_pk(items_by_number: dict[str, list[dict]]) -> dict[int, list[dict]]:
        return {by_number[number].pk: items for number, items in items_by_number.items()}

    created_ids = {measure.pk for measure in new_measures}
    new_goals = children_replace_bulk(
        kind=GOALS, items_by_measure=by_pk(goals), new_measures=created_ids
    )
    new_kpis = children_replace_bulk(
        kind=KPIS, items_by_measure=by_pk(kpis), new_measures=created_ids
    )
    new_values = kpi_values_replace_bulk(
        values_by_measure=by_pk(kpi_values), by=by, new_measures=created_ids, new_kpis=new_kpis
    )

    # The state after: changed measures read back; new ones built from the rows just written
    # (all their goals, KPIs and values are new), the same JSON `measure_state` would read.
    after = measure_states(measure_ids=before)
    goals_of, kpis_of, values_of = defaultdict(list), defaultdict(list), defaultdict(list)
    for goal in new_goals:
        goals_of[goal.measure_id].append(goal)
    for kpi in new_kpis:
        kpis_of[kpi.measure_id].append(kpi)
    for value in new_values:
        values_of[value.kpi_id].append(value)
    for measure in new_measures:
        after[measure.pk] = new_measure_state(
            measure=measure, goals=goals_of[measure.pk], kpis=kpis_of[measure.pk], values=values_of
        )
    records = [
        change_record(
            measure=measure,
            action=ChangeRecord.Action.CREATED,
            source=source,
            by=by,
            diff={},
            state=after[measure.pk],
        )
        for measure in new_measures
    ]
    changed = []
    existing_by_pk = {measure.pk: measure for measure in existing.values()}
    for pk, state_before in before.items():
        diff = state_diff(state_before, after[pk])
        if not diff:
            continue
        measure = existing_by_pk[pk]
        measure.version += 1
        measure.updated_at = now
        changed.append(measure)
        records.append(
            change_record(
                measure=measure,
                action=ChangeRecord.Action.UPDATED,
                source=source,
                by=by,
                diff=diff,
                state=after[pk],
            )
        )
    if changed:
        Measure.objects.bulk_update(changed, ["version", "updated_at"], CHUNK)
    rows_insert(records)
    if records:
        public_data_changed(programme_ids=[programme.pk])
    return BulkResult(created=new_measures, changed=changed, records=records)
