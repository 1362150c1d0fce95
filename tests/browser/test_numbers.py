"""Numbers typed in a real Chromium: "2,5" stays 2,5 (an <input type=number> made it 25)."""

import base64
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from playwright.sync_api import expect

from kpis.charts import Point, kpi_trend_svg
from measures.models import Measure
from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def test_an_estimate_typed_with_a_decimal_comma_is_stored_as_typed(page, programme, editor_group_1):
    measure = Measure.objects.get(number="1.4")
    browser_login(page, "erika")
    page.goto(f"/massnahmen/{measure.pk}/bearbeiten/")

    personnel = page.get_by_label("Personalbedarf (VZV)")
    personnel.fill("")
    personnel.press_sequentially("2,5")
    cost = page.get_by_label("Kostenschätzung (€)")
    cost.fill("")
    cost.press_sequentially("1.000.000")
    page.get_by_role("button", name="Speichern").click()

    expect(page.get_by_role("status").first).to_contain_text("gespeichert")
    measure.refresh_from_db()
    assert measure.personnel_estimate == Decimal("2.5")
    assert measure.cost_estimate == Decimal("1000000")


@pytest.mark.parametrize(
    "values, target",
    [
        (["120000", "250000"], "274998.75"),
        (["-1250000.5", "3"], None),
        (["0.25", "0.5"], None),
    ],
)
def test_every_chart_label_lies_fully_inside_the_picture(page, values, target):
    """Measured in Chromium with the page's font: "274.998,75" was clipped to "4.998,75"."""
    points = [
        Point(date(2020 + index, 12, 31), Decimal(value)) for index, value in enumerate(values)
    ]
    chart = kpi_trend_svg(points, target=Decimal(target) if target else None)
    # In the browser's own font and in the PDF's (DejaVu Sans, wide digits).
    font = base64.b64encode((settings.BASE_DIR / "static/fonts/DejaVuSans.ttf").read_bytes())
    report_svg = chart.svg.replace("<svg ", '<svg font-family="Report Sans" ', 1)
    page.set_content(
        "<!DOCTYPE html><html><head><style>@font-face { font-family: 'Report Sans'; "
        f"src: url(data:font/ttf;base64,{font.decode()}); }}</style></head>"
        f'<body style="margin:0">{chart.svg}{report_svg}</body></html>'
    )
    page.evaluate("document.fonts.ready.then(() => true)")

    boxes = page.eval_on_selector_all(
        "svg text",
        "texts => texts.map(t => {"
        " const b = t.getBBox(); return [t.textContent, b.x, b.x + b.width]; })",
    )
    width = float(page.eval_on_selector("svg", "svg => svg.viewBox.baseVal.width"))
    assert len(boxes) >= 8
    for text, left, right in boxes:
        assert left >= 0 and right <= width, text
