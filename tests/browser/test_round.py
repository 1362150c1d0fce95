"""A whole reporting round in the browser, from opening to the committee reading the PDF.

The report is built by a real Celery worker process (`celery_worker_process`), through the same
pipeline as every report: closing the round only requests it.
"""

import io
import os
import re
from datetime import date

import pypdf
import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from reports.models import StatusReport
from rounds.models import ReportingRound, RoundState, StatusUpdate, UpdateState
from rounds.services import round_create
from tests.conftest import ARTIFACTS, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.worker]

ACHIEVED_FIRST = "Konzept liegt im Entwurf vor."
ACHIEVED = "Konzept liegt vor; der Personalrat hat zugestimmt."
REASON = "Die Dienstvereinbarung verzögert sich."


@pytest.fixture(scope="module", autouse=True)
def _orm_beside_playwright(django_db_setup):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def lead_group_1(programme):
    user = User.objects.create_user("lars", "lars@example.org", "pw")
    programme.working_groups.get(number=1).leads.add(user)
    return user


def _as(page, username: str) -> None:
    page.context.clear_cookies()
    browser_login(page, username)


def _update_form(page):
    """The status update's own form (the page also has the goals' and KPIs' forms)."""
    return page.locator("form").filter(has=page.get_by_label("Begründung der Ampel"))


def _open_update(page, number: str) -> None:
    page.goto("/runden/aufgaben/")
    page.get_by_role("link", name=re.compile(rf"^{re.escape(number)} ")).first.click()


def normalized(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def test_a_whole_round_from_opening_to_the_committee_reading_the_pdf(
    media_root,
    programme,
    admin_user,
    editor_group_1,
    lead_group_1,
    committee_member,
    celery_worker_process,
    page,
):
    planned = round_create(
        programme=programme,
        name="Sachstand 1/2027",
        reporting_date=date(2027, 3, 31),
        update_deadline=date(2027, 4, 15),
        review_deadline=date(2027, 4, 30),
    )

    # The admin opens the round.
    _as(page, "alice")
    page.goto(f"/runden/{planned.pk}/")
    page.get_by_role("button", name="Runde öffnen").click()
    expect(page.get_by_text("0 von 25 freigegeben").first).to_be_visible()

    # editor1 fills in 1.1 and submits it.
    _as(page, "erika")
    _open_update(page, "1.1")
    page.get_by_label("gefährdet").check()
    page.get_by_label("Begründung der Ampel").fill(REASON)
    _update_form(page).get_by_label("Sachstand", exact=True).fill(ACHIEVED_FIRST)
    page.get_by_role("button", name="Speichern", exact=True).click()
    page.get_by_role("button", name="Einreichen").click()
    expect(page.get_by_text("Die Meldung ist eingereicht.")).to_be_visible()

    # The lead of group I returns it with a comment.
    _as(page, "lars")
    _open_update(page, "1.1")
    page.get_by_label("Kommentar").fill("Bitte den Stand beim Personalrat ergänzen.")
    page.get_by_role("button", name="Zurückgeben").click()
    expect(page.get_by_text("Die Meldung ist zurückgegeben.")).to_be_visible()

    # editor1 sees the comment, changes the update and submits it again.
    _as(page, "erika")
    _open_update(page, "1.1")
    expect(page.get_by_text("Bitte den Stand beim Personalrat ergänzen.")).to_be_visible()
    _update_form(page).get_by_label("Sachstand", exact=True).fill(ACHIEVED)
    page.get_by_role("button", name="Speichern", exact=True).click()
    page.get_by_role("button", name="Einreichen").click()
    expect(page.get_by_text("Die Meldung ist eingereicht.")).to_be_visible()

    # The lead approves.
    _as(page, "lars")
    _open_update(page, "1.1")
    page.get_by_role("button", name="Freigeben").click()
    expect(page.get_by_text("Die Meldung ist freigegeben.")).to_be_visible()
    update = StatusUpdate.objects.get(round=planned, measure__number="1.1")
    assert update.state == UpdateState.APPROVED
    assert update.events.count() == 4  # submit, return, submit, approve

    # The admin closes the round; the report is requested and built by the worker.
    _as(page, "alice")
    page.goto(f"/runden/{planned.pk}/")
    expect(page.get_by_text("1 von 25 freigegeben").first).to_be_visible()
    page.get_by_label("Die letzte freigegebene Meldung der Maßnahme verwenden").check()
    page.get_by_role("button", name="Runde abschließen und Bericht erstellen").click()
    report = StatusReport.objects.get(round=planned)
    expect(page).to_have_url(re.compile(rf"/berichte/{report.pk}/$"))
    assert ReportingRound.objects.get(pk=planned.pk).state == RoundState.CLOSED
    expect(page.get_by_role("link", name=re.compile("PDF herunterladen"))).to_be_visible(
        timeout=120_000
    )

    # The committee finds the report on the round page and downloads it.
    _as(page, "lena")
    page.goto(f"/runden/{planned.pk}/")
    page.get_by_role("link", name="Sachstandsbericht Sachstand 1/2027 – Entwurf").click()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("PDF herunterladen")).click()
    page.screenshot(path=ARTIFACTS / "round-report-done.png", full_page=True)
    pages = [
        normalized(pdf_page.extract_text())
        for pdf_page in pypdf.PdfReader(io.BytesIO(download.value.path().read_bytes())).pages
    ]

    summary = next(text for text in pages if "1 von 25 freigegeben" in text)
    assert "1.1 Bring Your Own Device" in summary
    assert "gefährdet" in summary and REASON in summary
    measure_page = next(
        text for text in pages[pages.index(summary) + 1 :] if "1.1 Bring Your Own Device" in text
    )
    assert "Ampel: gefährdet" in measure_page
    assert ACHIEVED in measure_page
    assert ACHIEVED_FIRST not in " ".join(pages)
