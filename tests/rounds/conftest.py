from datetime import date

import pytest

from rounds.services import round_create, round_open


@pytest.fixture
def planned_round(programme):
    return round_create(
        programme=programme,
        name="Sachstand 1/2027",
        reporting_date=date(2027, 3, 31),
        update_deadline=date(2027, 4, 15),
        review_deadline=date(2027, 4, 30),
    )


@pytest.fixture
def open_round(planned_round, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        return round_open(round=planned_round, by=admin_user)
