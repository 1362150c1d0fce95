"""KPI charts in the report: each under its own KPI, round axis labels, one value as text."""

import base64
import re
from xml.etree import ElementTree

import pytest

from reports.pdf import render_report_pdf
from reports.rendering import render_report_html

from .conftest import PdfText, normalized

pytestmark = pytest.mark.django_db


def _kpi(name: str, values: list[tuple[str, str]], target=None) -> dict:
    return {
        "name": name,
        "unit": "€",
        "target": "",
        "target_value": target,
        "target_date": None,
        "values": [{"date": day, "value": value, "note": ""} for day, value in values],
    }


def _snapshot(kpis: list[dict]) -> dict:
    measure = {
        "number": "1.1",
        "title": "Maßnahme",
        "description": "",
        "status": "in_umsetzung",
        "status_label": "in Umsetzung",
        "responsible_units": "",
        "ratings": [],
        "goals": [],
        "kpis": kpis,
    }
    return {
        "language": "de",
        "report": {"title": "Bericht", "ds_number": "1-20", "report_date": "2022-01-31"},
        "programme": {"name": "P", "organisation": "", "numbering_note": ""},
        "legend": [],
        "groups": [{"number": 1, "numeral": "I", "name": "AG I", "measures": [measure]}],
    }


SNAPSHOT = _snapshot(
    [
        _kpi("Alpha", [("2020-12-31", "120000"), ("2021-12-31", "250000")], "274998.75"),
        _kpi("Beta", [("2020-12-31", "3"), ("2021-12-31", "5")]),
        _kpi("Gamma", [("2021-06-30", "12.5")]),
    ]
)


def test_each_chart_stands_under_its_own_kpi_in_the_html():
    html = render_report_html(SNAPSHOT)

    order = [
        html.index("Alpha"),
        html.index('alt="Verlauf Alpha:'),
        html.index("Beta"),
        html.index('alt="Verlauf Beta:'),
        html.index("Gamma"),
    ]
    assert order == sorted(order)
    # Gamma has one value: its line says it, no chart.
    assert 'alt="Verlauf Gamma' not in html
    assert "Stand 30.06.2021: 12,5 €" in html


def test_each_chart_stands_under_its_own_kpi_in_the_pdf():
    text = normalized(
        " ".join(PdfText(render_report_pdf(render_report_html(SNAPSHOT)).content).pages)
    )

    alpha, beta = text.index("/// Alpha"), text.index("/// Beta")
    assert alpha < text.index("Verlauf: Alpha") < beta < text.index("Verlauf: Beta")
    assert "Verlauf: Gamma" not in text


def test_the_chart_has_round_labels_and_its_values_as_alt_text():
    html = render_report_html(SNAPSHOT)
    [src] = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)" alt="Verlauf Alpha', html)
    svg = base64.b64decode(src).decode()

    ticks = ElementTree.fromstring(svg).iterfind(".//*[@class='kpi-tick']")
    labels = [tick.text for tick in ticks]
    assert labels == ["0", "100.000", "200.000", "300.000"]
    assert (
        'alt="Verlauf Alpha: 31.12.2020: 120.000 €; 31.12.2021: 250.000 €; '
        'Zielwert 274.998,75 €"' in html
    )
