"""The bulk import writes the same history states as a measure read back from the database."""

import json
from datetime import date
from decimal import Decimal

import pytest

from measures.history import measure_state
from measures.models import ChangeRecord, Measure
from measures.services import measures_apply_bulk

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(small_programme):
    """Not about the seed: some programme with some measures, built from factories."""
    return small_programme


def recorded_state(record: ChangeRecord) -> str:
    """The state as written, in its key order (PostgreSQL's jsonb keeps its own on reading)."""
    assert ChangeRecord.objects.get(pk=record.pk).state == record.state
    return json.dumps(record.state)


def read_state(number: str) -> str:
    return json.dumps(measure_state(Measure.objects.get(number=number)))


GOALS = [  # fmt: skip
    {
        "category": "",
        "text": "Zweites Ziel",
        "target": "31.12.2027",
        "progress_note": "läuft",
        "order": 5,
    },
    {"text": "Erstes Ziel", "target": "offen", "order": 1, "status": "in_arbeit"},
]
KPIS = [
    {"name": "Anträge online", "unit": "%", "target_value": Decimal("80.50"), "order": 2},
    {"name": "Bürger*innen", "unit": "Anzahl", "target_value": Decimal("12500"),
     "target_date": date(2028, 6, 30), "negative_allowed": True, "order": 1},
]  # fmt: skip
VALUES = [
    {"kpi": "Anträge online", "date": date(2026, 3, 31), "value": Decimal("41.2500"), "note": ""},
    {"kpi": "Anträge online", "date": date(2025, 12, 31), "value": Decimal("30"), "note": "a\r\nb"},
    {"kpi": "Bürger*innen", "date": date(2026, 1, 1), "value": Decimal("-0.25"), "note": "Stand"},
]


def test_a_created_measure_keeps_the_state_read_back_from_the_database(programme, admin_user):
    group = programme.working_groups.get(number=2)
    created = {"number": "2.9", "working_group": group, "title": "Neu", "description": "x\r\ny",
               "cost_estimate": Decimal("1500.50"), "duration_estimate": Decimal("3")}  # fmt: skip

    result = measures_apply_bulk(
        programme=programme,
        creates=[created],
        updates={},
        goals={"2.9": GOALS},
        kpis={"2.9": KPIS},
        kpi_values={"2.9": VALUES},
        by=admin_user,
    )

    (record,) = result.records
    assert record.action == ChangeRecord.Action.CREATED
    assert recorded_state(record) == read_state("2.9")
    state = json.loads(read_state("2.9"))
    assert [goal["text"] for goal in state["goals"]] == ["Erstes Ziel", "Zweites Ziel"]
    assert [len(kpi["values"]) for kpi in state["kpis"]] == [1, 2]


def test_an_updated_measure_keeps_the_state_read_back_from_the_database(programme, admin_user):
    number = Measure.objects.filter(programme=programme).first().number

    result = measures_apply_bulk(
        programme=programme,
        creates=[],
        updates={number: {"title": "Geändert", "personnel_estimate": Decimal("2.50")}},
        goals={number: GOALS},
        kpis={number: KPIS},
        kpi_values={number: VALUES},
        by=admin_user,
    )

    (record,) = result.records
    assert record.action == ChangeRecord.Action.UPDATED
    assert recorded_state(record) == read_state(number)
    assert record.diff["title"][1] == "Geändert"
