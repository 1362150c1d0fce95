"""Real concurrent requests for the lost-update tests: threads, each with its own connection.

Only PostgreSQL can run writes side by side (SQLite locks the whole file), so tests using
this skip elsewhere (`postgres_only`). They need `@pytest.mark.django_db(transaction=True)`:
the threads must see what the test committed.
"""

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections
from django.test import Client

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writes need PostgreSQL (SQLite serialises the whole database)",
)


def at_once(calls: list[Callable[[], object]], timeout: float = 60) -> list[object]:
    """Run the calls in threads released together; their results (or exceptions) in order."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout)
            results[index] = call()
        except Exception as error:  # handed back to the test, which asserts on it
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a request did not finish"
    return results


def logged_in_client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client
