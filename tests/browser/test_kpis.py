"""KPI values in a real headless Chromium: an editor enters values on the measure page."""

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from kpis.models import KPI
from kpis.services import kpi_value_record
from tests.conftest import ARTIFACTS, browser_login

pytestmark = pytest.mark.browser


def test_editor_adds_a_kpi_value_and_sees_it_in_table_and_chart(page, programme, editor_group_1):
    kpi = KPI.objects.get(measure__number="1.2", order=1)
    browser_login(page, "erika")
    page.goto(f"/massnahmen/{kpi.measure_id}/")
    block = page.locator(f"#kpi-{kpi.pk}")
    expect(block).to_contain_text("Noch keine Werte erfasst")

    block.get_by_text("Wert erfassen oder korrigieren").click()
    form = block.get_by_role("group", name=f"Wert erfassen: {kpi.name}")
    form.get_by_label("Stichtag").fill("2020-12-31")
    form.get_by_label(re.compile(r"^Wert\b")).fill("12,5")
    form.get_by_label("Bemerkung").fill("Stand Jahresende")
    form.get_by_role("button", name="Wert speichern").click()

    # htmx swaps the KPI's block in place.
    block = page.locator(f"#kpi-{kpi.pk}")
    notice = block.get_by_role("status")
    expect(notice).to_contain_text("12,5 vom 31.12.2020 wurde gespeichert")
    expect(notice).to_be_focused()
    row = block.locator("table.kpi-values tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("31.12.2020")
    expect(row).to_contain_text("12,5")
    expect(row).to_contain_text("erika")
    # One value is said in words; a chart appears with the second.
    expect(block.locator("svg.kpi-chart")).to_have_count(0)
    expect(block.locator(".kpi-single")).to_contain_text("31.12.2020: 12,5")
    # The history further down the page shows the change at once.
    expect(page.locator("#measure-history")).to_contain_text("Version 2")
    expect(page.locator("#measure-version")).to_contain_text("2,")

    # A second value: the chart now draws a line through two points.
    block.get_by_text("Wert erfassen oder korrigieren").click()
    form = block.get_by_role("group", name=f"Wert erfassen: {kpi.name}")
    form.get_by_label("Stichtag").fill("2021-06-30")
    form.get_by_label(re.compile(r"^Wert\b")).fill("20")
    form.get_by_role("button", name="Wert speichern").click()
    expect(block.locator("table.kpi-values tbody tr")).to_have_count(2)
    expect(block.locator("svg.kpi-chart circle")).to_have_count(2)
    page.screenshot(path=ARTIFACTS / "kpi-values.png", full_page=True)

    assert [v.value for v in kpi.values.order_by("date")] == [Decimal("12.5"), Decimal("20")]


def test_invalid_value_is_explained_and_a_value_deleted_after_confirming(
    page, programme, editor_group_1
):
    kpi = KPI.objects.get(measure__number="1.2", order=1)
    kpi_value_record(kpi=kpi, date=date(2020, 12, 31), value=Decimal("3"))
    browser_login(page, "erika")
    page.goto(f"/massnahmen/{kpi.measure_id}/")
    block = page.locator(f"#kpi-{kpi.pk}")

    block.get_by_text("Wert erfassen oder korrigieren").click()
    form = block.get_by_role("group", name=f"Wert erfassen: {kpi.name}")
    form.get_by_label("Stichtag").fill("2021-01-31")
    value = form.get_by_label(re.compile(r"^Wert\b"))
    value.fill("viele")
    form.get_by_role("button", name="Wert speichern").click()
    expect(block.get_by_role("alert").first).to_be_focused()
    expect(value).to_have_attribute("aria-invalid", "true")
    expect(block.locator(f"#id_kpi{kpi.pk}_value_error")).to_be_visible()
    assert kpi.values.count() == 1

    page.once("dialog", lambda dialog: dialog.accept())
    block.get_by_role("button", name="Löschen (Wert vom 31.12.2020)").click()
    expect(block.get_by_role("status")).to_contain_text("Der Wert vom 31.12.2020 wurde gelöscht.")
    expect(block).to_contain_text("Noch keine Werte erfasst")
    assert not kpi.values.exists()
