"""`rows_insert` saves new rows exactly as `bulk_create` would (COPY on PostgreSQL)."""

from datetime import date
from decimal import Decimal

import pytest

from kpis.models import KPI, KPIValue
from measures.models import ChangeRecord, Goal
from measures.rows import rows_insert, rows_new
from tests.factories import MeasureFactory

pytestmark = pytest.mark.django_db

AWKWARD = "Tab\there, back\\slash, \\N, line\nbreak\r\nand ümlaut ★"


def test_every_kind_of_value_reads_back_as_it_was_written(admin_user):
    measure = MeasureFactory()
    goal, plain = rows_insert(
        rows_new(
            Goal,
            [
                {"measure_id": measure.pk, "text": AWKWARD, "order": 1, "target_open_ended": True},
                {"measure_id": measure.pk, "text": "", "target_date": date(2027, 12, 31)},
            ],
        )
    )
    (kpi,) = rows_insert(
        [KPI(measure=measure, name="Quote", target_value=Decimal("80.50"), unit="%")]
    )
    (value,) = rows_insert(
        [KPIValue(kpi=kpi, date=date(2026, 3, 31), value=Decimal("-0.2500"), note=AWKWARD)]
    )
    (record,) = rows_insert(
        [
            ChangeRecord(
                measure=measure,
                measure_version=1,
                object_type="measure",
                object_label=AWKWARD[:300],
                action=ChangeRecord.Action.CREATED,
                source=ChangeRecord.Source.IMPORT,
                state={"title": AWKWARD, "goals": [{"id": goal.pk, "done": False}]},
                changed_by=admin_user,
            )
        ]
    )

    assert plain.pk > goal.pk
    stored = Goal.objects.get(pk=goal.pk)
    assert (stored.text, stored.order, stored.target_open_ended) == (AWKWARD, 1, True)
    assert stored.updated_at == goal.updated_at is not None
    stored_plain = Goal.objects.get(pk=plain.pk)
    assert (stored_plain.text, stored_plain.target_date, stored_plain.category) == (
        "",
        date(2027, 12, 31),
        plain.category,
    )
    assert KPI.objects.get(pk=kpi.pk).target_value == Decimal("80.50")
    stored_value = KPIValue.objects.get(pk=value.pk)
    assert (stored_value.value, stored_value.note) == (Decimal("-0.25"), AWKWARD)
    assert stored_value.entered_by_id is None and stored_value.entered_at == value.entered_at
    stored_record = ChangeRecord.objects.get(pk=record.pk)
    assert stored_record.state == record.state and stored_record.diff == {}
    assert stored_record.changed_by == admin_user and stored_record.changed_at == record.changed_at


def test_rows_inserted_afterwards_the_usual_way_get_new_ids():
    measure = MeasureFactory()
    inserted = rows_insert(rows_new(Goal, [{"measure_id": measure.pk, "text": "a"}] * 3))

    later = Goal.objects.create(measure=measure, text="b")

    assert later.pk > max(goal.pk for goal in inserted)
    assert Goal.objects.filter(measure=measure).count() == 4


def test_a_field_the_model_lacks_is_refused():
    with pytest.raises(TypeError):
        rows_new(Goal, [{"measure_id": 1, "colour": "red"}])
