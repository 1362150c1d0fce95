"""The group-prefix rule of a measure number ("2.3" belongs to working group II) has one home,
measures.models.group_prefix_error, and one message wherever a measure is saved."""

import pytest
from django.core.exceptions import ValidationError

from measures.models import group_number_of, group_prefix_error
from measures.services import measure_create
from transfer.models import ImportRun
from transfer.services import programme_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(small_programme):
    """Not about the seed: some programme with some measures, built from factories."""
    return small_programme


MESSAGE_FOR_1_12_IN_II = "Maßnahmen der Arbeitsgruppe II beginnen mit „2.“ (hier 1.12)."


@pytest.mark.parametrize(
    ("number", "group_number"),
    [("2.3", 2), ("12.1", 12), ("1.12", 1), ("2", None), ("", None), ("a.1", None)],
)
def test_the_number_before_the_dot_names_the_group(number, group_number):
    assert group_number_of(number) == group_number


@pytest.mark.parametrize(
    ("number", "group", "message"),
    [
        ("2.1", 2, ""),
        ("2.14", 2, ""),
        ("1.12", 2, MESSAGE_FOR_1_12_IN_II),
        ("12.1", 1, "Maßnahmen der Arbeitsgruppe I beginnen mit „1.“ (hier 12.1)."),
        ("", 2, ""),  # no number yet: the number's own validator speaks
    ],
)
def test_group_prefix_error(programme, number, group, message):
    assert group_prefix_error(number, programme.working_groups.get(number=group)) == message


def test_saving_and_importing_refuse_with_the_same_message(programme):
    group_two = programme.working_groups.get(number=2)
    with pytest.raises(ValidationError) as error:
        measure_create(
            programme=programme,
            data={"number": "1.12", "working_group": group_two, "title": "Falsche Gruppe"},
        )
    assert error.value.message_dict["number"] == [MESSAGE_FOR_1_12_IN_II]

    csv = "Nummer;Arbeitsgruppe;Titel;Status\n1.12;II;Falsche Gruppe;geplant\n"
    run = programme_import(
        programme=programme, file_name="massnahmen.csv", data=csv.encode(), by=None
    ).run
    assert run.state == ImportRun.State.REJECTED
    [refusal] = run.errors
    assert "Zeile 2, Spalte Nummer" in refusal["text"]
    assert refusal["text"].endswith(f": {MESSAGE_FOR_1_12_IN_II}")
