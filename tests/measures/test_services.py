from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from measures.models import ChangeRecord, Measure
from measures.services import MeasureConflict, measure_create, measure_update


@pytest.fixture
def programme(small_programme):
    """Not about the seed: some programme with some measures, built from factories."""
    return small_programme


def _new_measure(programme, number="1.12", **data):
    return measure_create(
        programme=programme,
        data={
            "number": number,
            "working_group": programme.working_groups.get(number=1),
            "title": "Neue Maßnahme",
            **data,
        },
    )


def test_numbers_sort_naturally(programme):
    _new_measure(programme, "1.13")
    _new_measure(programme, "1.12")
    _new_measure(programme, "1.10")

    numbers = list(Measure.objects.filter(working_group__number=1).values_list("number", flat=True))

    assert numbers == ["1.1", "1.2", "1.3", "1.10", "1.12", "1.13"]


def test_number_must_be_unique_within_the_programme(programme):
    with pytest.raises(ValidationError) as error:
        _new_measure(programme, "1.1")
    assert "number" in str(error.value.message_dict) or "__all__" in error.value.message_dict


@pytest.mark.parametrize("number", ["1", "1.", "x.1", "1.1.1", "0.1", ""])
def test_malformed_numbers_are_refused(programme, number):
    with pytest.raises(ValidationError) as error:
        _new_measure(programme, number)
    assert "number" in error.value.message_dict


def test_number_must_start_with_the_working_group(programme):
    group_two = programme.working_groups.get(number=2)
    with pytest.raises(ValidationError) as error:
        measure_create(
            programme=programme,
            data={"number": "1.12", "working_group": group_two, "title": "Falsche Gruppe"},
        )
    assert "beginnen mit „2.“" in str(error.value.message_dict["number"])


@pytest.mark.parametrize(
    "field, estimate, rating_field, level",
    [
        ("cost_estimate", "49999.99", "cost_rating", "gering"),
        ("cost_estimate", "50000", "cost_rating", "mittel"),
        ("cost_estimate", "1000000", "cost_rating", "mittel"),
        ("cost_estimate", "1000000.01", "cost_rating", "hoch"),
        ("personnel_estimate", "1.5", "personnel_rating", "gering"),
        ("personnel_estimate", "2.0", "personnel_rating", "mittel"),
        ("personnel_estimate", "5.0", "personnel_rating", "mittel"),
        ("personnel_estimate", "5.5", "personnel_rating", "hoch"),
        ("duration_estimate", "0.5", "timeframe_rating", "kurzfristig"),
        ("duration_estimate", "3", "timeframe_rating", "mittelfristig"),
        ("duration_estimate", "4", "timeframe_rating", "langfristig"),
    ],
)
def test_estimates_derive_the_level_through_the_legend(
    programme, field, estimate, rating_field, level
):
    measure = _new_measure(programme, **{field: Decimal(estimate)})
    assert getattr(measure, rating_field) == level


def test_a_level_set_by_hand_without_a_figure_stays(programme):
    measure = _new_measure(programme, cost_rating="hoch")
    assert measure.cost_rating == "hoch"
    assert measure.cost_estimate is None


def test_update_records_a_field_level_diff_and_bumps_the_version(programme, admin_user):
    measure = Measure.objects.get(number="1.1")

    updated = measure_update(
        measure=measure,
        data={"status": "in_umsetzung", "title": "BYOD"},
        expected_version=measure.version,
        by=admin_user,
    )

    assert updated.version == measure.version + 1
    record = updated.changes.first()
    assert record.action == ChangeRecord.Action.UPDATED
    assert record.changed_by == admin_user
    assert record.diff == {
        "status": ["geplant", "in_umsetzung"],
        "title": ["Mobiles Arbeiten", "BYOD"],
    }


def test_goal_and_kpi_changes_appear_in_the_measures_history(programme, admin_user):
    measure = Measure.objects.get(number="1.3")
    kpis = [{"id": kpi.pk, "name": kpi.name} for kpi in measure.kpis.all()]

    updated = measure_update(
        measure=measure,
        data={},
        goals=[{"text": "Neues Ziel bis Ende 2027", "target": "bis Ende 2027"}],
        kpis=[*kpis, {"name": "Anzahl Downloads"}],
        expected_version=measure.version,
        by=admin_user,
    )

    diff = updated.changes.first().diff
    assert [(c["action"], c["label"]) for c in diff["goals"]] == [
        ("added", "Neues Ziel bis Ende 2027"),
        ("removed", "Konzept für 1.3"),
        ("removed", "Umsetzung von 1.3"),
    ]
    assert [(c["action"], c["label"]) for c in diff["kpis"]] == [("added", "Anzahl Downloads")]
    assert updated.goals.get().target_date.isoformat() == "2027-12-31"


def test_a_save_that_changes_nothing_keeps_the_version_and_records_nothing(programme):
    measure = Measure.objects.get(number="1.1")
    before = measure.changes.count()

    measure_update(measure=measure, data={"title": measure.title}, expected_version=measure.version)

    measure.refresh_from_db()
    assert measure.version == 1
    assert measure.changes.count() == before


def test_a_stale_edit_is_refused_and_names_the_other_change(programme, editor_group_1):
    measure = Measure.objects.get(number="1.1")
    loaded_version = measure.version
    measure_update(
        measure=measure, data={"status": "abgeschlossen"}, expected_version=loaded_version,
        by=editor_group_1,
    )  # fmt: skip

    with pytest.raises(MeasureConflict) as conflict:
        measure_update(measure=measure, data={"title": "Meins"}, expected_version=loaded_version)

    assert [change.diff for change in conflict.value.changes] == [
        {"status": ["geplant", "abgeschlossen"]}
    ]
    assert conflict.value.changes[0].changed_by == editor_group_1
    assert Measure.objects.get(number="1.1").title == "Mobiles Arbeiten"


def test_an_invalid_goal_changes_nothing(programme):
    measure = Measure.objects.get(number="1.1")

    with pytest.raises(ValidationError) as error:
        measure_update(
            measure=measure,
            data={"title": "Geändert"},
            goals=[{"text": ""}],
            expected_version=measure.version,
        )

    assert "goals-0-text" in error.value.message_dict
    measure.refresh_from_db()
    assert measure.title == "Mobiles Arbeiten"
    assert measure.goals.count() == 2
