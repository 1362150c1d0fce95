from datetime import date

import pytest

from measures.targets import read_target


@pytest.mark.parametrize(
    "written, expected_date, open_ended",
    [
        ("bis Ende 2020", date(2020, 12, 31), False),
        ("Ende 2019", date(2019, 12, 31), False),
        ("bis Mitte 2020", date(2020, 6, 30), False),
        ("bis Anfang 2020", date(2020, 3, 31), False),
        ("bis Sommer 2020", date(2020, 8, 31), False),
        ("bis Herbst 2021", date(2021, 11, 30), False),
        ("in 2020", date(2020, 12, 31), False),
        ("2020", date(2020, 12, 31), False),
        ("bis 2021", date(2021, 12, 31), False),
        ("bis 30.06.2021", date(2021, 6, 30), False),
        ("bis 02/2024", date(2024, 2, 29), False),
        ("ab 2021", date(2021, 1, 1), True),
        ("ab Mitte 2020", date(2020, 7, 1), True),
        ("2021 ff.", date(2021, 1, 1), True),
        ("(2020 ff.)", date(2020, 1, 1), True),
        ("2021ff", date(2021, 1, 1), True),
        ("  BIS   ENDE 2020 ", date(2020, 12, 31), False),
    ],
)
def test_readable_targets(written, expected_date, open_ended):
    reading = read_target(written)
    assert (reading.date, reading.open_ended) == (expected_date, open_ended)


@pytest.mark.parametrize(
    "written",
    ["", "demnächst", "bis 31.02.2020", "bis 13/2020", "Ende der Legislatur", "zeitnah 2020er"],
)
def test_unreadable_targets_give_no_date_rather_than_a_wrong_one(written):
    reading = read_target(written)
    assert reading.date is None and reading.open_ended is False
