"""The committee asks for a report in the browser and sees it finish without reloading."""

import os
import re

import pytest
from playwright.sync_api import expect

from reports.models import StatusReport
from tests.conftest import ARTIFACTS, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.worker]


@pytest.fixture(scope="module", autouse=True)
def _orm_beside_playwright(django_db_setup):
    """Fixtures such as `programme` run after Playwright started its event loop in this thread."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_committee_creates_a_report_and_the_page_updates_until_done(
    media_root, programme, committee_member, celery_worker_process, page
):
    browser_login(page, "lena")
    page.goto("/berichte/")
    page.get_by_role("link", name="Neuen Bericht erstellen").click()
    page.get_by_label("DS-Nr.").fill("15160-19")
    page.get_by_label("Ausgewählte Arbeitsgruppen").check()
    page.get_by_label("II – Arbeitsgruppe II", exact=True).check()
    page.get_by_role("button", name="Bericht erstellen").click()

    report = StatusReport.objects.get()
    expect(page).to_have_url(re.compile(rf"/berichte/{report.pk}/$"))
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    download_link = page.get_by_role("link", name=re.compile("PDF herunterladen"))
    expect(download_link).to_be_visible(timeout=90_000)
    assert navigations == []  # updated in place by polling, not by reloading
    page.screenshot(path=ARTIFACTS / "report-done.png", full_page=True)

    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename == "Sachstandsbericht_15160-19.pdf"
