"""Real concurrent requests for the lost-update tests: threads, each with its own connection.

Only PostgreSQL can run writes side by side (SQLite locks the whole file), so tests using
this skip elsewhere (`postgres_only`). They need `@pytest.mark.django_db(transaction=True)`:
the threads must see what the test committed.
"""

import threading
from collections.abc import Callable
from html.parser import HTMLParser

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


class _FormParser(HTMLParser):
    def __init__(self, form_class: str):
        super().__init__(convert_charrefs=True)
        self.form_class = form_class
        self.inside = False
        self.data: dict[str, str] = {}
        self._textarea: str | None = None
        self.textareas: set[str] = set()
        self._select: str | None = None
        self._option: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.form_class in (attrs.get("class") or "").split():
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind in ("submit", "button"):
                return
            self.data[name] = attrs.get("value") or ("on" if kind == "checkbox" else "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.textareas.add(name)
            self.data[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            if "selected" in attrs:
                self.data[self._select] = attrs.get("value", "")
            elif self._select not in self.data:
                self.data[self._select] = attrs.get("value", "")  # the first, as browsers do

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def html_form_data(content: bytes, form_class: str = "edit-form") -> dict[str, str]:
    """The fields of a rendered form as a browser would submit them, read from the HTML.

    Threads cannot use `response.context`: the test client collects rendered templates
    through a global signal, so concurrent requests see each other's contexts.
    """
    parser = _FormParser(form_class)
    parser.feed(content.decode())
    # Browsers drop the one newline Django puts at the start of a textarea's content.
    return {
        key: value.removeprefix("\n") if key in parser.textareas else value
        for key, value in parser.data.items()
    }
