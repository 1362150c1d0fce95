import pytest


@pytest.fixture
def programme(small_programme):
    """KPIs and their values are not about the seed: some programme with some measures (and
    the personas' working groups), built from factories."""
    return small_programme
