from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kpis.models import KPI
from kpis.services import kpi_value_delete, kpi_value_record


@pytest.fixture
def kpi(programme):
    return KPI.objects.get(measure__number="1.2", order=1)


def test_recording_a_value_is_part_of_the_measures_history(kpi, editor_group_1):
    kpi_value_record(kpi=kpi, date=date(2020, 12, 31), value=Decimal("71"), by=editor_group_1)

    change = kpi.measure.changes.first()
    assert change.changed_by == editor_group_1
    [kpi_change] = change.diff["kpis"]
    assert kpi_change["label"] == "Anzahl der digitalen Verwaltungsleistungen im Portal"
    assert kpi_change["fields"]["values"] == [
        [],
        [{"date": "2020-12-31", "value": "71", "note": "", "entered_by": editor_group_1.pk}],
    ]
    assert kpi.measure.version == 2


def test_a_second_value_on_the_same_date_corrects_the_first(kpi, editor_group_1):
    kpi_value_record(kpi=kpi, date=date(2020, 12, 31), value=Decimal("71"), by=editor_group_1)
    kpi_value_record(kpi=kpi, date=date(2020, 12, 31), value=Decimal("72.5"), note="korrigiert")

    assert [(v.value, v.note) for v in kpi.values.all()] == [(Decimal("72.5"), "korrigiert")]


def test_an_invalid_value_changes_nothing(kpi):
    with pytest.raises(ValidationError) as error:
        kpi_value_record(kpi=kpi, date=date(2020, 12, 31), value="viele")

    assert "value" in error.value.message_dict
    assert not kpi.values.exists()
    assert kpi.measure.changes.count() == 1  # only the seed's "created"


def test_deleting_a_value_is_recorded(kpi):
    value = kpi_value_record(kpi=kpi, date=date(2021, 1, 1), value=Decimal("3"))

    kpi_value_delete(kpi_value=value)

    assert not kpi.values.exists()
    assert kpi.measure.changes.first().diff["kpis"][0]["fields"]["values"][1] == []


def test_a_correction_names_the_value_it_replaced_and_keeps_one_value(kpi, editor_group_1):
    first = kpi_value_record(kpi=kpi, date=date(2021, 3, 31), value=Decimal("5"))
    second = kpi_value_record(
        kpi=kpi, date=date(2021, 3, 31), value=Decimal("6"), by=editor_group_1
    )

    assert first.previous is None
    assert second.previous == Decimal("5")
    assert second.pk == first.pk
    assert second.entered_by == editor_group_1


def test_entering_the_same_value_again_records_nothing_and_keeps_the_author(
    kpi, editor_group_1, admin_user
):
    kpi_value_record(kpi=kpi, date=date(2021, 3, 31), value=Decimal("5"), by=editor_group_1)
    kpi.measure.refresh_from_db()
    version = kpi.measure.version

    again = kpi_value_record(kpi=kpi, date=date(2021, 3, 31), value=Decimal("5.0"), by=admin_user)

    kpi.measure.refresh_from_db()
    assert kpi.measure.version == version
    assert again.entered_by == editor_group_1


def test_deleting_a_value_twice_records_one_change(kpi):
    value = kpi_value_record(kpi=kpi, date=date(2021, 1, 1), value=Decimal("3"))
    kpi.measure.refresh_from_db()
    version = kpi.measure.version

    assert kpi_value_delete(kpi_value=value) is True
    assert kpi_value_delete(kpi_value=value) is False

    kpi.measure.refresh_from_db()
    assert kpi.measure.version == version + 1
