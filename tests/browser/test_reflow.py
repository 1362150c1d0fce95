"""Reflow (WCAG 2.1 SC 1.4.10, required by BITV 2.0): every staff page works 320 CSS px wide
without scrolling the page sideways; a wide table scrolls inside its own labelled region.

Screenshots of every page at 320 px go to artifacts/reflow/ for a look by eye.
"""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from kpis.models import KPI
from kpis.services import kpi_value_record
from measures.models import Measure
from reports.services import report_build, report_request
from rounds.models import StatusUpdate
from rounds.services import round_create, round_open, update_save
from tests.conftest import ARTIFACTS, browser_login
from transfer.services import import_run_start, programme_import

FILES = Path(__file__).parents[1] / "transfer" / "files"

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 640}
WIDE = {"width": 1366, "height": 768}

# The elements sticking out to the right, to name them when a page is too wide.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const names = [];
  for (const element of document.querySelectorAll("body *")) {
    const box = element.getBoundingClientRect();
    if (box.right <= width + 0.5 || box.width === 0) continue;
    let clipped = false;
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") { clipped = true; break; }
    }
    if (clipped) continue;
    const id = element.id ? "#" + element.id : "";
    const cls = element.classList.length ? "." + [...element.classList].join(".") : "";
    names.push(`${element.tagName.toLowerCase()}${id}${cls} (${Math.round(box.right)} px)`);
  }
  return names.slice(0, 5);
}"""


@pytest.fixture
def staff_pages(programme, admin_user, settings, tmp_path):
    """Every staff page, with data on it: a KPI value, a done report, import runs."""
    settings.MEDIA_ROOT = tmp_path / "media"
    measure = Measure.objects.get(number="1.2")
    kpi = KPI.objects.filter(measure=measure).first()
    value = kpi_value_record(
        kpi=kpi, date=date(2021, 6, 30), value=Decimal("1234567.5"), by=admin_user
    )
    report = report_request(
        programme=programme,
        title="Anhang zum Sachstandsbericht",
        ds_number="15160-19",
        report_date=date(2021, 7, 1),
        working_group_numbers=[4],
        by=admin_user,
        enqueue=False,
    )
    report_build(report_id=report.pk)
    upload = SimpleUploadedFile("goals-comma.csv", (FILES / "goals-comma.csv").read_bytes())
    run = import_run_start(
        programme=programme, file_name="goals-comma.csv", upload=upload, by=admin_user
    )
    rejected = programme_import(
        programme=programme,
        file_name="bad-rating.csv",
        data=(FILES / "bad-rating.csv").read_bytes(),
        by=admin_user,
    ).run
    round_ = round_open(
        round=round_create(
            programme=programme,
            name="Sachstand 1/2027",
            reporting_date=date(2026, 3, 31),
            update_deadline=date(2026, 4, 15),
            review_deadline=date(2026, 4, 30),
        ),
        by=admin_user,
    )
    update = StatusUpdate.objects.get(round=round_, measure=measure)
    update_save(
        update=update,
        data={
            "traffic_light": "gefaehrdet",
            "traffic_light_reason": "Die Stelle der Projektleitung ist seit Monaten unbesetzt.",
            "achieved": "Konzept abgestimmt.",
        },
        expected_version=update.version,
        by=admin_user,
    )
    history = measure.changes.order_by("pk").first()
    return {
        "overview": "/",
        "list": "/massnahmen/",
        "detail": f"/massnahmen/{measure.pk}/",
        "edit": f"/massnahmen/{measure.pk}/bearbeiten/",
        "new-measure": "/massnahmen/neu/",
        "kpi-value-delete": f"/kennzahlen/werte/{value.pk}/loeschen/",
        "reports": "/berichte/",
        "report-detail": f"/berichte/{report.pk}/",
        "report-form": "/berichte/neu/",
        "since-last-report": "/berichte/seit-letztem-bericht/",
        "transfer": "/import-export/",
        "import-runs": "/import-export/import/protokoll/",
        "import-run": f"/import-export/import/{run.pk}/",
        "import-run-rejected": f"/import-export/import/{rejected.pk}/",
        "kpi-value-form": (f"/massnahmen/{measure.pk}/", kpi.pk),
        "restore-preview": f"/massnahmen/{measure.pk}/verlauf/{history.pk}/wiederherstellen/",
        "rounds": "/runden/",
        "round-new": "/runden/neu/",
        "round": f"/runden/{round_.pk}/",
        "status-update": f"/runden/meldung/{update.pk}/",
        "tasks": "/runden/aufgaben/",
    }


def _too_wide(page, name: str) -> str | None:
    page.wait_for_load_state("networkidle")
    folder = ARTIFACTS / "reflow"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=folder / f"{name}.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    if width <= NARROW["width"]:
        return None
    return f"{name} ({page.url}): {width} px; {', '.join(page.evaluate(OVERFLOWING))}"


def _post_invalid_kpi_value(page, kpi_pk: int) -> None:
    """The full-page KPI value form, as a browser without JavaScript gets it after an error."""
    page.evaluate(
        """(kpi) => {
          const form = document.createElement("form");
          form.method = "post";
          form.action = `/kennzahlen/${kpi}/werte/`;
          const token = document.querySelector("[name=csrfmiddlewaretoken]").cloneNode();
          form.append(token);
          document.body.append(form);
          form.submit();
        }""",
        kpi_pk,
    )
    page.wait_for_url(f"**/kennzahlen/{kpi_pk}/werte/")


def test_every_staff_page_reflows_at_320_px(page, staff_pages, admin_user):
    page.set_viewport_size(NARROW)
    problems = []
    page.goto("/konto/login/")
    problems.append(_too_wide(page, "login"))
    browser_login(page, "alice")
    for name, url in staff_pages.items():
        if name == "kpi-value-form":
            detail, kpi_pk = url
            page.goto(detail)
            _post_invalid_kpi_value(page, kpi_pk)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
        else:
            response = page.goto(url)
            assert response.status == 200, url
        problems.append(_too_wide(page, name))
    problems = [problem for problem in problems if problem]
    assert not problems, "Wider than 320 px:\n" + "\n".join(problems)


def test_a_wide_table_scrolls_in_its_own_labelled_focusable_region(page, programme, admin_user):
    page.set_viewport_size(NARROW)
    browser_login(page, "alice")
    page.goto("/massnahmen/")
    region = page.get_by_role("region", name="Maßnahmen")
    expect(region).to_be_visible()
    assert region.evaluate("(el) => el.scrollWidth > el.clientWidth")
    assert region.get_attribute("tabindex") == "0"
    # Still so after htmx swapped in new results.
    page.get_by_label("Arbeitsgruppe").select_option(label="Arbeitsgruppe II")
    expect(page.locator("#results tbody tr")).to_have_count(3)
    expect(region).to_have_attribute("tabindex", "0")
    region.focus()
    page.keyboard.press("ArrowRight")
    expect(region).to_be_focused()
    page.wait_for_function("(el) => el.scrollLeft > 0", arg=region.element_handle())


def test_edit_links_of_the_list_are_visible_and_show_focus_at_1366_px(page, programme, admin_user):
    page.set_viewport_size(WIDE)
    browser_login(page, "alice")
    page.goto("/massnahmen/")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDE["width"]
    # The table fits: no scrolling region, so no extra stop for the keyboard.
    expect(page.get_by_role("region", name="Maßnahmen")).to_have_count(0)
    links = page.locator("#results tbody a", has_text="Bearbeiten")
    expect(links).to_have_count(25)
    region = page.locator("#results .table-wrap")
    region_box = region.bounding_box()
    for index in (0, 24):
        link = links.nth(index)
        link.scroll_into_view_if_needed()
        box = link.bounding_box()
        region_box = region.bounding_box()
        assert box["x"] >= region_box["x"] and (
            box["x"] + box["width"] <= region_box["x"] + region_box["width"]
        ), f"link {index} is clipped: {box} outside {region_box}"
    first = links.first
    first.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focus by keyboard, so :focus-visible applies
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.startswith("Bearbeiten")
    style = first.evaluate(
        """(el) => { const s = getComputedStyle(el);
             return {outline: s.outlineStyle, width: parseFloat(s.outlineWidth),
                     shadow: s.boxShadow}; }"""
    )
    assert style["outline"] != "none" and style["width"] >= 2
    # The ring (outline + offset + halo, about 8 px) is not cut off by the scrolling region.
    box = first.bounding_box()
    region_box = region.bounding_box()
    assert box["x"] + box["width"] + 8 <= region_box["x"] + region_box["width"]
    page.screenshot(path=ARTIFACTS / "reflow" / "list-1366-focus.png")
