from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kpis.models import KPI
from kpis.services import kpi_value_delete, kpi_value_record
from tests.factories import MeasureFactory, UserFactory


@pytest.fixture
def kpi(db):
    measure = MeasureFactory(
        kpis=[{"name": "Anzahl der digitalen Verwaltungsleistungen im Portal"}]
    )
    return KPI.objects.get(measure_id=measure.pk)  # measure loaded afresh, as with the seed


@pytest.fixture
def editor(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


def test_recording_a_value_is_part_of_the_measures_history(kpi, editor):
    kpi_value_record(kpi=kpi, date=date(2020, 12, 31), value=Decimal("71"), by=editor)

    change = kpi.measure.changes.first()
    assert change.changed_by == editor
    [kpi_change] = change.diff["kpis"]
    assert kpi_change["label"] == "Anzahl der digitalen Verwaltungsleistungen im Portal"
    assert kpi_change["fields"]["values"] == [
        [],
        [{"date": "2020-12-31", "value": "71", "note": "", "entered_by": editor.pk}],
    ]
    assert kpi.measure.version == 2


def test_a_second_value_on_the_same_date_corrects_the_first(kpi, editor):
    kpi_value_record(kpi=kpi, date=date(2020, 12, 31), value=Decimal("71"), by=editor)
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


def test_a_correction_names_the_value_it_replaced_and_keeps_one_value(kpi, editor):
    first = kpi_value_record(kpi=kpi, date=date(2021, 3, 31), value=Decimal("5"))
    second = kpi_value_record(kpi=kpi, date=date(2021, 3, 31), value=Decimal("6"), by=editor)

    assert first.previous is None
    assert second.previous == Decimal("5")
    assert second.pk == first.pk
    assert second.entered_by == editor


def test_entering_the_same_value_again_records_nothing_and_keeps_the_author(
    kpi, editor, other_user
):
    kpi_value_record(kpi=kpi, date=date(2021, 3, 31), value=Decimal("5"), by=editor)
    kpi.measure.refresh_from_db()
    version = kpi.measure.version

    again = kpi_value_record(kpi=kpi, date=date(2021, 3, 31), value=Decimal("5.0"), by=other_user)

    kpi.measure.refresh_from_db()
    assert kpi.measure.version == version
    assert again.entered_by == editor


def test_deleting_a_value_twice_records_one_change(kpi):
    value = kpi_value_record(kpi=kpi, date=date(2021, 1, 1), value=Decimal("3"))
    kpi.measure.refresh_from_db()
    version = kpi.measure.version

    assert kpi_value_delete(kpi_value=value) is True
    assert kpi_value_delete(kpi_value=value) is False

    kpi.measure.refresh_from_db()
    assert kpi.measure.version == version + 1
