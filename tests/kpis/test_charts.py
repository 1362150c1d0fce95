import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

from kpis.charts import Point, kpi_trend_svg

SVG = "{http://www.w3.org/2000/svg}"


def test_no_values_give_no_chart():
    assert kpi_trend_svg([]) == ""


def test_chart_is_valid_svg_with_one_point_per_value_in_date_order():
    points = [
        Point(date(2021, 6, 30), Decimal("40")),
        Point(date(2020, 12, 31), Decimal("12")),
        Point(date(2021, 12, 31), Decimal("67")),
    ]

    svg = ET.fromstring(kpi_trend_svg(points, title="Digitale Leistungen", unit="Stück"))

    assert len(svg.findall(f"{SVG}circle")) == 3
    xs = [float(pair.split(",")[0]) for pair in svg.find(f"{SVG}polyline").get("points").split()]
    ys = [float(pair.split(",")[1]) for pair in svg.find(f"{SVG}polyline").get("points").split()]
    assert xs == sorted(xs)
    assert ys[0] > ys[1] > ys[2]  # rising values are drawn higher (smaller y)
    assert svg.get("aria-label") == "Digitale Leistungen"
    assert "31.12.2020: 12 Stück" in svg.find(f"{SVG}desc").text


def test_target_is_drawn_as_a_dashed_line_and_described():
    svg = ET.fromstring(
        kpi_trend_svg([Point(date(2020, 1, 1), Decimal("1.5"))], target=Decimal("1000"))
    )

    target = svg.find(f"{SVG}line")
    assert target.get("stroke-dasharray")
    assert "Zielwert 1.000" in svg.find(f"{SVG}desc").text


def test_text_in_titles_is_escaped():
    svg = kpi_trend_svg([Point(date(2020, 1, 1), Decimal("1"))], title='<script>"x"</script>')
    assert "<script>" not in svg
    ET.fromstring(svg)
