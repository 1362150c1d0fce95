"""Single writes of a measure aggregate: create, update (with its goals and KPIs), lock and
version check. Views, the admin, the seed and management commands call these functions, so
validation, optimistic locking and the change history hold on every path.

The rest of the aggregate's code: `measures.rows` (writing the rows; goals and KPIs replaced
by one function), `measures.history` (state, diff, record, restore) and `measures.bulk`
(many measures at once, for the import). Their public names are importable from here too.
"""

from django.db import transaction

from masterplan.models import Programme

from .bulk import BulkResult, measures_apply_bulk
from .history import (
    GOAL_FIELDS,
    KPI_FIELDS,
    MeasureConflict,
    RestorePreview,
    measure_check_version,
    measure_lock,
    measure_record_change,
    measure_record_created,
    measure_record_event,
    measure_restore,
    measure_restore_preview,
    measure_state,
    measure_states,
    plain_value,
    state_diff,
)
from .models import ChangeRecord, Measure
from .rows import (
    GOALS,
    KPIS,
    MEASURE_FIELDS,
    assign_fields,
    children_replace,
    measure_save_fields,
)

__all__ = [
    "GOAL_FIELDS",
    "KPI_FIELDS",
    "MEASURE_FIELDS",
    "BulkResult",
    "MeasureConflict",
    "RestorePreview",
    "assign_fields",
    "measure_check_version",
    "measure_create",
    "measure_lock",
    "measure_record_change",
    "measure_record_event",
    "measure_restore",
    "measure_restore_preview",
    "measure_state",
    "measure_states",
    "measure_update",
    "measures_apply_bulk",
    "plain_value",
    "state_diff",
]


def _save_children(measure: Measure, goals: list[dict] | None, kpis: list[dict] | None) -> None:
    if goals is not None:
        children_replace(measure=measure, kind=GOALS, items=goals)
    if kpis is not None:
        children_replace(measure=measure, kind=KPIS, items=kpis)


@transaction.atomic
def measure_create(
    *,
    programme: Programme,
    data: dict,
    goals: list[dict] | None = None,
    kpis: list[dict] | None = None,
    by=None,
    source: str = ChangeRecord.Source.WEB,
) -> Measure:
    """Create a measure with its goals and KPIs; the "created" entry holds the whole measure."""
    measure = Measure(programme=programme)
    measure_save_fields(measure=measure, data=data)
    _save_children(measure, goals or [], kpis)
    measure_record_created(measure=measure, by=by, source=source)
    return measure


@transaction.atomic
def measure_update(
    *,
    measure: Measure,
    data: dict,
    expected_version: int,
    goals: list[dict] | None = None,
    kpis: list[dict] | None = None,
    by=None,
    source: str = ChangeRecord.Source.WEB,
) -> Measure:
    """Save changes to a measure and, if given, its full list of goals and of KPIs.

    Refuses with MeasureConflict when the measure was saved by someone else after
    `expected_version` was read. Everything is saved in one transaction under the measure's
    lock, with one history entry. Returns the measure; a save that changes nothing records no
    history and keeps the version.
    """
    locked = measure_lock(measure_id=measure.pk)
    measure_check_version(measure=locked, expected_version=expected_version)
    before = measure_state(locked)
    measure_save_fields(measure=locked, data=data)
    _save_children(locked, goals, kpis)
    measure_record_change(measure=locked, before=before, by=by, source=source)
    return locked
