"""Goals and KPIs of a measure are replaced by one rule, for one measure or many at once."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from measures.history import measure_state
from measures.rows import GOALS, KPIS, children_replace, children_replace_bulk
from tests.factories import MeasureFactory

GOAL_ITEMS = [
    {"text": "Portal online bis Ende 2027", "target": "bis Ende 2027"},
    {"text": "Alle Formulare digital", "target": ""},
]
KPI_ITEMS = [{"name": "Anzahl Downloads", "unit": "Stück"}, {"name": "Nutzer*innen"}]


def _lists(measure) -> dict:
    state = measure_state(measure)
    return {
        name: [{k: v for k, v in item.items() if k != "id"} for item in state[name]]
        for name in ("goals", "kpis")
    }


@pytest.mark.django_db
def test_single_and_bulk_replace_give_the_same_goals_and_kpis():
    one, many = MeasureFactory(), MeasureFactory()

    with transaction.atomic():
        children_replace(measure=one, kind=GOALS, items=GOAL_ITEMS)
        children_replace(measure=one, kind=KPIS, items=KPI_ITEMS)
    children_replace_bulk(kind=GOALS, items_by_measure={many.pk: GOAL_ITEMS})
    children_replace_bulk(kind=KPIS, items_by_measure={many.pk: KPI_ITEMS})

    assert _lists(one) == _lists(many)
    assert _lists(one)["goals"][0]["target_date"] == "2027-12-31"


@pytest.mark.django_db
def test_a_goal_of_another_measure_is_refused_and_changes_nothing():
    mine = MeasureFactory(goals=[{"text": "Mein Ziel", "target": ""}])
    other = MeasureFactory(goals=[{"text": "Fremdes Ziel", "target": ""}])
    foreign = other.goals.get()

    with pytest.raises(ValidationError) as error, transaction.atomic():
        children_replace(measure=mine, kind=GOALS, items=[{"id": foreign.pk, "text": "Meins"}])

    assert "goals" in error.value.message_dict
    assert list(mine.goals.values_list("text", flat=True)) == ["Mein Ziel"]
    assert list(other.goals.values_list("text", flat=True)) == ["Fremdes Ziel"]


@pytest.mark.django_db
def test_a_kpi_named_twice_is_refused_by_its_row():
    measure = MeasureFactory()

    with pytest.raises(ValidationError) as error, transaction.atomic():
        children_replace(measure=measure, kind=KPIS, items=[{"name": "A"}, {"name": "A"}])

    assert list(error.value.message_dict) == ["kpis-1-name"]
    assert not measure.kpis.exists()
