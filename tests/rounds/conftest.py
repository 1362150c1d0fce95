import pytest

from rounds.services import round_open
from tests.factories import ReportingRoundFactory


@pytest.fixture
def programme(small_programme):
    """Reporting rounds are not about the seed: some programme with some measures (and the
    personas' working groups I and II), built from factories."""
    return small_programme


@pytest.fixture
def planned_round(programme):
    return ReportingRoundFactory(programme=programme, name="Sachstand 1/2027")


@pytest.fixture
def open_round(planned_round, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        return round_open(round=planned_round, by=admin_user)
