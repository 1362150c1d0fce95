import pytest


@pytest.fixture(scope="session", autouse=True)
def _database_before_browser(django_db_setup):
    """Create the test database before Playwright starts its event loop in this thread.

    Otherwise Django refuses the set-up (SynchronousOnlyOperation) when the browser fixture
    happens to be set up first.
    """
