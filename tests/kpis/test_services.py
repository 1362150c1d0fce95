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
