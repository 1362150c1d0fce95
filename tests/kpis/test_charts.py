import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from kpis.charts import FONT_SIZE, LABEL_EM, Point, axis_ticks, kpi_trend_svg

SVG = "{http://www.w3.org/2000/svg}"


def _ticks(svg: ET.Element) -> list[ET.Element]:
    return [text for text in svg.iter(f"{SVG}text") if text.get("class") == "kpi-tick"]


def test_no_values_give_no_chart_and_no_text():
    chart = kpi_trend_svg([])
    assert (chart.svg, chart.description) == ("", "")
    assert not chart


def test_chart_is_valid_svg_with_one_point_per_value_in_date_order():
    points = [
        Point(date(2021, 6, 30), Decimal("40")),
        Point(date(2020, 12, 31), Decimal("12")),
        Point(date(2021, 12, 31), Decimal("67")),
    ]

    chart = kpi_trend_svg(points, title="Digitale Leistungen", unit="Stück")
    svg = ET.fromstring(chart.svg)

    assert len(svg.findall(f"{SVG}circle")) == 3
    xs = [float(pair.split(",")[0]) for pair in svg.find(f"{SVG}polyline").get("points").split()]
    ys = [float(pair.split(",")[1]) for pair in svg.find(f"{SVG}polyline").get("points").split()]
    assert xs == sorted(xs)
    assert ys[0] > ys[1] > ys[2]  # rising values are drawn higher (smaller y)
    assert svg.get("aria-label") == "Digitale Leistungen"
    assert "31.12.2020: 12 Stück" in svg.find(f"{SVG}desc").text


def test_the_description_comes_with_the_svg_as_text():
    chart = kpi_trend_svg(
        [Point(date(2020, 12, 31), Decimal("12.5")), Point(date(2021, 12, 31), Decimal("18000.5"))],
        target=Decimal("250000"),
        unit="€",
    )

    assert chart.description == "31.12.2020: 12,5 €; 31.12.2021: 18.000,5 €; Zielwert 250.000 €"
    assert ET.fromstring(chart.svg).find(f"{SVG}desc").text == chart.description


def test_target_is_drawn_as_a_dashed_line_and_described():
    chart = kpi_trend_svg(
        [Point(date(2020, 1, 1), Decimal("1.5")), Point(date(2021, 1, 1), Decimal("3"))],
        target=Decimal("1000"),
    )
    svg = ET.fromstring(chart.svg)

    target = svg.find(f"{SVG}line[@class='kpi-target']")
    assert target.get("stroke-dasharray")
    assert "Zielwert 1.000" in svg.find(f"{SVG}desc").text


def test_a_single_value_is_text_not_a_lone_dot():
    chart = kpi_trend_svg([Point(date(2020, 6, 30), Decimal("12.5"))], unit="Stück")

    assert chart.svg == ""
    assert chart.description == "30.06.2020: 12,5 Stück"


def test_text_in_titles_is_escaped():
    chart = kpi_trend_svg(
        [Point(date(2020, 1, 1), Decimal("1")), Point(date(2020, 2, 1), Decimal("2"))],
        title='<script>"x"</script>',
    )
    assert "<script>" not in chart.svg
    ET.fromstring(chart.svg)


@pytest.mark.parametrize(
    "values, ticks",
    [
        (["120000", "274998.75"], ["0", "100000", "200000", "300000"]),
        (["12", "67"], ["0", "20", "40", "60", "80"]),
        (["1000", "1050"], ["1000", "1020", "1040", "1060"]),
        (["0.2", "0.7"], ["0", "0.2", "0.4", "0.6", "0.8"]),
        (["-30", "45"], ["-40", "-20", "0", "20", "40", "60"]),
        (["5", "5"], ["0", "2", "4", "6"]),
        (["0", "0"], ["0", "0.25", "0.5", "0.75", "1"]),
    ],
)
def test_axis_ticks_are_round_and_cover_the_values(values, ticks):
    assert axis_ticks([Decimal(value) for value in values]) == [Decimal(t) for t in ticks]


def test_y_axis_labels_are_round_formatted_and_fit_in_the_picture():
    """The case of issue 9: "274.998,75" was clipped to "4.998,75", ticks at 137.499,38."""
    chart = kpi_trend_svg(
        [
            Point(date(2020, 12, 31), Decimal("120000")),
            Point(date(2021, 12, 31), Decimal("250000")),
        ],
        target=Decimal("274998.75"),
    )
    svg = ET.fromstring(chart.svg)

    labels = _ticks(svg)
    assert [label.text for label in labels] == ["0", "100.000", "200.000", "300.000"]
    for label in labels:
        # Right-aligned at x: the text's left edge must stay inside the picture.
        assert float(label.get("x")) - len(label.text) * FONT_SIZE * LABEL_EM >= 0
    top = float(svg.find(f"{SVG}rect").get("y"))
    assert all(float(label.get("y")) >= top for label in labels)


def test_labels_follow_the_page_language():
    points = [Point(date(2020, 1, 1), Decimal("0.5")), Point(date(2021, 1, 1), Decimal("2"))]
    with translation.override("en"):
        svg = ET.fromstring(kpi_trend_svg(points).svg)
    assert "0.5" in [label.text for label in _ticks(svg)]
