"""measure_restore: an admin brings a measure back to an earlier version."""

import pytest
from django.core.exceptions import ValidationError

from measures.models import ChangeRecord, Measure
from measures.services import measure_restore, measure_update

pytestmark = pytest.mark.django_db


def measure_with_full_history(number: str, by) -> Measure:
    """The seed records its state before it adds KPIs; a first edit records the full state."""
    measure = Measure.objects.get(number=number)
    return measure_update(
        measure=measure,
        data={"responsible_units": "FB 11"},
        expected_version=measure.version,
        by=by,
    )


def test_restore_recreates_deleted_goals_and_records_a_restored_change(programme, admin_user):
    measure = measure_with_full_history("2.1", admin_user)
    earlier = measure.changes.first()
    texts = sorted(measure.goals.values_list("text", flat=True))
    measure = measure_update(
        measure=measure,
        data={"status": "abgeschlossen"},
        goals=[],
        expected_version=measure.version,
        by=admin_user,
    )
    assert measure.goals.count() == 0

    record = measure_restore(measure=measure, change_record=earlier, by=admin_user)

    measure.refresh_from_db()
    assert sorted(measure.goals.values_list("text", flat=True)) == texts
    assert measure.status == earlier.state["status"]
    assert record.action == ChangeRecord.Action.RESTORED
    assert record.changed_by == admin_user
    assert measure.version == record.measure_version == earlier.measure_version + 2
    assert set(record.diff) == {"status", "goals"}


def test_restoring_the_current_state_changes_nothing(programme, admin_user):
    measure = measure_with_full_history("2.1", admin_user)
    current = measure.changes.first()
    version = measure.version
    assert measure_restore(measure=measure, change_record=current, by=admin_user) is None
    measure.refresh_from_db()
    assert measure.version == version


def test_restore_refuses_a_record_of_another_measure(programme, admin_user):
    measure = Measure.objects.get(number="2.1")
    other = Measure.objects.get(number="2.2").changes.first()
    with pytest.raises(ValueError):
        measure_restore(measure=measure, change_record=other, by=admin_user)


def test_restore_refuses_a_record_without_state(programme, admin_user):
    measure = Measure.objects.get(number="2.1")
    record = measure.changes.first()
    ChangeRecord.objects.filter(pk=record.pk).update(state={})
    record.refresh_from_db()
    with pytest.raises(ValidationError):
        measure_restore(measure=measure, change_record=record, by=admin_user)
