"""Numbers in the change history read as people write them: "1.500.000", "12,5; 18.000,5"."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from kpis.models import KPI
from kpis.services import kpi_value_record
from measures.models import Measure
from measures.selectors import describe_diff, measure_history
from measures.services import measure_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(small_programme):
    """Not about the seed: some programme with some measures, built from factories."""
    return small_programme


def _fields(history: list[dict]) -> list[tuple[str, str, str]]:
    found = []
    for entry in history:
        for line in entry["lines"]:
            if line.get("kind") == "item":
                found += [(f["label"], f["old"], f["new"]) for f in line["fields"]]
            else:
                found.append((line["label"], line["old"], line["new"]))
    return found


def test_estimates_and_kpi_values_in_the_history_are_formatted(programme):
    measure = Measure.objects.get(number="1.2")
    kpi = KPI.objects.get(measure=measure, order=1)
    measure_update(measure=measure, data={"cost_estimate": Decimal("1500000")}, expected_version=1)
    kpi_value_record(kpi=kpi, date=date(2020, 12, 31), value=Decimal("12.5"))
    kpi_value_record(kpi=kpi, date=date(2021, 6, 30), value=Decimal("18000.5"))

    fields = _fields(measure_history(measure=measure))

    assert ("Kostenschätzung (€)", "–", "1.500.000") in fields
    assert ("Werte", "31.12.2020: 12,5", "31.12.2020: 12,5; 30.06.2021: 18.000,5") in fields


def test_the_history_writes_numbers_in_the_page_language():
    diff = {"cost_estimate": [None, "1500000.5"], "target_value": ["250000", "12.5"]}
    with translation.override("en"):
        lines = describe_diff(diff)
    assert [(line["old"], line["new"]) for line in lines] == [
        ("–", "1,500,000.5"),
        ("250,000", "12.5"),
    ]
