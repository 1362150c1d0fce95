"""Upload, preview and confirm an import in a real headless Chromium."""

import pytest
from django.conf import settings
from django.test import Client

from measures.models import Measure
from transfer.models import ImportRun

from .conftest import FILES

# django_db_setup first: the test database is created before Playwright runs its event loop.
pytestmark = pytest.mark.browser


def login_with_session(page, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": page.base_url}]
    )


def test_admin_uploads_sees_the_preview_and_confirms(
    django_db_setup, page, programme, admin_user, media_root
):
    login_with_session(page, admin_user)
    page.goto("/import-export/")

    page.get_by_label("Datei").set_input_files(str(FILES / "bad-rating.csv"))
    page.get_by_role("button", name="Datei prüfen").click()

    page.get_by_role("heading", name="Die Datei wurde abgelehnt: 1 Fehler").wait_for()
    assert "'sehr hoch' ist kein zulässiger Wert (gering, mittel, hoch)" in page.content()

    page.goto("/import-export/")
    page.get_by_label("Datei").set_input_files(str(FILES / "measures-semicolon-bom.csv"))
    page.get_by_role("button", name="Datei prüfen").click()

    page.get_by_role("heading", name="Vorschau").wait_for()
    assert page.get_by_role("heading", name="1.12 Digitale Signatur (neu)").is_visible()
    assert not Measure.objects.filter(number="1.12").exists()
    page.screenshot(
        path=str(settings.BASE_DIR / "artifacts" / "import-preview.png"), full_page=True
    )

    page.get_by_role("button", name="Änderungen übernehmen").click()

    page.get_by_role("heading", name="Übernommen").wait_for()
    assert page.get_by_test_id("import-state").inner_text() == "übernommen"
    assert Measure.objects.get(number="1.12").changes.get().changed_by == admin_user
    assert list(ImportRun.objects.values_list("state", flat=True)) == ["applied", "rejected"]
