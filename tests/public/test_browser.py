"""BITV 2.0 in a real browser: every public page passes axe-core's WCAG 2.1 A/AA rules with no
violation, and reflows at 320 CSS px (WCAG 1.4.10) without scrolling sideways. axe-core comes
from the `axe-playwright-python` wheel (dev dependency), offline. Screenshots go to
artifacts/public/."""

from datetime import date
from decimal import Decimal
from importlib.resources import files

import pytest
from django.urls import reverse

from kpis.models import KPI
from kpis.services import kpi_value_record
from measures.models import Measure
from rounds.models import StatusUpdate, TrafficLight, UpdateAction
from rounds.services import round_create, round_open, update_save, update_transition
from tests.conftest import ARTIFACTS

from .helpers import done_report

pytestmark = pytest.mark.browser

AXE = (files("axe_playwright_python") / "axe.min.js").read_text()
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
NARROW = {"width": 320, "height": 640}
WIDE = {"width": 1280, "height": 900}


@pytest.fixture(scope="session", autouse=True)
def _database_before_browser(django_db_setup):
    """The test database exists before Playwright starts its event loop (as in tests/browser)."""


@pytest.fixture
def public_pages(public_programme, admin_user):
    """Every kind of public page, with an approved status, a KPI chart and a report on it."""
    round_ = round_open(
        round=round_create(
            programme=public_programme,
            name="Sachstand 3/2026",
            reporting_date=date(2026, 9, 30),
            update_deadline=date(2026, 10, 15),
            review_deadline=date(2026, 10, 31),
        ),
        by=admin_user,
    )
    update = StatusUpdate.objects.get(round=round_, measure__number="1.2")
    update = update_save(
        update=update,
        data={
            "traffic_light": TrafficLight.AT_RISK,
            "traffic_light_reason": "Die Ausschreibung verzögert sich um ein Quartal.",
            "achieved": "Leistungsbeschreibung abgestimmt.\n\nMarkterkundung abgeschlossen.",
            "next_steps": "Vergabe vorbereiten.",
            "progress_percent": 40,
        },
        expected_version=update.version,
        by=admin_user,
    )
    update = update_transition(update=update, action=UpdateAction.SUBMIT, by=admin_user)
    update_transition(update=update, action=UpdateAction.APPROVE, by=admin_user)
    measure = Measure.objects.get(programme=public_programme, number="1.2")
    kpi = KPI.objects.filter(measure=measure).first() or KPI.objects.create(
        measure=measure, name="Anträge", unit="Stück"
    )
    for day, value in (
        (date(2025, 12, 31), 120),
        (date(2026, 3, 31), 480),
        (date(2026, 6, 30), 910),
    ):
        kpi_value_record(kpi=kpi, date=day, value=Decimal(value), by=admin_user)
    done_report(public_programme, published=True)
    pk = public_programme.pk
    return {
        "index": reverse("public:index"),
        "overview": reverse("public:overview", args=[pk]),
        "measures": reverse("public:measures", args=[pk]),
        "measures-filtered": reverse("public:measures", args=[pk]) + "?ampel=gefaehrdet&q=e",
        "measures-none": reverse("public:measures", args=[pk]) + "?q=nichtsdergleichen",
        "measure": reverse("public:measure", args=[pk, "1.2"]),
        "measure-without-status": reverse("public:measure", args=[pk, "4.1"]),
        "embed": reverse("public:embed", args=[pk, "1.2"]),
        "reports": reverse("public:reports", args=[pk]),
        "accessibility": reverse("public:accessibility"),
    }


def _axe_violations(page) -> list[str]:
    # Evaluated through the DevTools protocol, which the page's CSP does not govern (a script
    # tag would be an inline script the policy rightly blocks).
    page.evaluate(AXE + "\n;true")
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
    )
    assert len(result["passes"]) > 10, "axe-core ran its rules"
    return [
        f"{v['id']} ({v['impact']}): {v['help']} – "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in result["violations"]
    ]


def _check_all(page, pages: dict, *, suffix: str) -> list[str]:
    problems = []
    folder = ARTIFACTS / "public"
    folder.mkdir(parents=True, exist_ok=True)
    for name, url in pages.items():
        for viewport, size in (("wide", WIDE), ("320", NARROW)):
            page.set_viewport_size(size)
            response = page.goto(url)
            assert response.status == 200, url
            page.wait_for_load_state("load")
            page.screenshot(path=folder / f"{name}-{suffix}-{viewport}.png", full_page=True)
            for violation in _axe_violations(page):
                problems.append(f"{name} {suffix} {viewport}: {violation}")
            if viewport == "320":
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > NARROW["width"]:
                    problems.append(f"{name} {suffix}: {width} px wide at 320 px")
    return problems


def test_every_public_page_passes_axe_and_reflows_in_german(page, public_pages):
    problems = _check_all(page, public_pages, suffix="de")
    assert not problems, "\n".join(problems)


def test_every_public_page_passes_axe_and_reflows_in_english(page, public_pages):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": page.base_url}])
    problems = _check_all(page, public_pages, suffix="en")
    assert not problems, "\n".join(problems)
    page.goto(public_pages["overview"])
    assert page.locator("html").get_attribute("lang") == "en"
