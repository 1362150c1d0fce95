"""Mein Konto and the API docs in a real browser: a token is created and shown once on a page
320 px wide that does not scroll sideways; the Swagger UI docs load from our own server only."""

import pytest
from playwright.sync_api import expect

from api.models import ApiToken
from tests.conftest import ARTIFACTS, browser_login

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", autouse=True)
def _database_before_browser(django_db_setup):
    """The test database first, then Playwright's event loop (see tests/browser/conftest.py)."""


def test_creating_a_token_on_mein_konto_at_320_px(page, editor_group_1):
    page.set_viewport_size({"width": 320, "height": 640})
    browser_login(page, "erika")
    page.get_by_role("link", name="Mein Konto").click()
    page.get_by_label("Bezeichnung des neuen Schlüssels").fill("Auswertung Controlling")
    page.get_by_role("button", name="Schlüssel erstellen").click()
    secret = page.locator("#new-token").inner_text()
    token = ApiToken.objects.get(user=editor_group_1)
    assert secret.startswith(token.prefix) and len(secret) > 40
    page.screenshot(path=ARTIFACTS / "api-profile-320.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.get_by_role("button", name="Widerrufen Auswertung Controlling").click()
    expect(page.get_by_text("Sie haben keinen gültigen Schlüssel.")).to_be_visible()


def test_the_api_docs_load_from_our_own_server_only(page, programme):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/api/docs/")
    expect(page.get_by_text("/api/v1/measures/", exact=True).first).to_be_visible()
    page.screenshot(path=ARTIFACTS / "api-docs.png", full_page=True)
    foreign = [url for url in requested if not url.startswith(page.base_url)]
    assert foreign == [] and len(requested) >= 4
