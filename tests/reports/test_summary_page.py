"""The summary page ("what changed since the last report") and the KPI charts in the PDF."""

import base64
import re
from datetime import date
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest

from kpis.models import KPI
from kpis.services import kpi_value_record
from measures.models import Goal, GoalStatus, Measure
from measures.services import measure_update
from reports.models import ReportState
from reports.pdf import render_report_pdf
from reports.rendering import render_report_html
from reports.services import report_build, report_request

from .conftest import PdfText, heading_pattern, normalized

pytestmark = pytest.mark.django_db

SUMMARY = "Zusammenfassung: Veränderungen seit dem letzten Bericht (DS-Nr. 100-20, 01.03.2020)"


def _build(programme, ds_number, report_date, groups=(1,)):
    report = report_request(
        programme=programme,
        title="Anhang zum Sachstandsbericht",
        ds_number=ds_number,
        report_date=report_date,
        working_group_numbers=list(groups),
        enqueue=False,
    )
    report_build(report_id=report.pk)
    report.refresh_from_db()
    assert report.state == ReportState.DONE, report.error
    return report


@pytest.fixture
def two_reports(programme, media_root, admin_user):
    """A first report on group I, then some progress, then the second report."""
    first = _build(programme, "100-20", date(2020, 3, 1))
    measure = Measure.objects.get(programme=programme, number="1.1")
    measure_update(
        measure=measure,
        data={"status": "in_umsetzung", "timeframe_rating": "langfristig"},
        expected_version=measure.version,
        by=admin_user,
    )
    goal = Goal.objects.filter(measure__number="1.2", measure__programme=programme).first()
    goal.status = GoalStatus.REACHED
    goal.save()
    kpi = KPI.objects.filter(measure__working_group__number=1).order_by("measure", "order").first()
    kpi.target_value = Decimal(40)
    kpi.save()
    kpi_value_record(kpi=kpi, date=date(2020, 6, 30), value=Decimal(12), by=admin_user)
    kpi_value_record(kpi=kpi, date=date(2020, 9, 30), value=Decimal("27.5"), by=admin_user)
    second = _build(programme, "200-20", date(2020, 10, 1))
    return first, second, measure, goal, kpi


def _legend_page(pdf: PdfText) -> int:
    return pdf.page_of(re.compile(r"(?m)^Legende$"))


def _overdue(snapshot) -> int:
    return sum(
        goal["overdue"]
        for group in snapshot["groups"]
        for measure in group["measures"]
        for goal in measure["goals"]
    )


def _summary_text(pdf: PdfText) -> str:
    start = pdf.page_of(heading_pattern(*SUMMARY.split()), after=_legend_page(pdf))
    end = pdf.page_of(heading_pattern("1.", "Maßnahmen der Arbeitsgruppe I"), after=start)
    return normalized(" ".join(pdf.pages[start - 1 : end - 1]))


def test_summary_page_tells_what_changed_since_the_previous_report(two_reports):
    first, second, measure, goal, kpi = two_reports
    assert second.previous == first
    pdf = PdfText(Path(second.file.path).read_bytes())
    text = _summary_text(pdf)
    group_one = Measure.objects.filter(working_group__number=1).count()
    planned = Measure.objects.filter(working_group__number=1, status="geplant").count()
    # Status counts now and in the previous report, with the difference.
    assert f"geplant {planned} {planned + 1} -1" in text
    assert "in Umsetzung 1 0 +1" in text
    assert f"Maßnahmen insgesamt {group_one} {group_one} ±0" in text
    assert "Ziele erreicht 1 0 +1" in text
    overdue_now, overdue_before = _overdue(second.snapshot), _overdue(first.snapshot)
    assert (
        f"Ziele überfällig {overdue_now} {overdue_before} {overdue_now - overdue_before:+d}" in text
    )
    assert f"1.1 {measure.title}" in text
    assert "Status: geplant → in Umsetzung" in text
    assert "Realisierungszeitraum: mittelfristig → langfristig" in text
    assert f"Ziel {normalized(goal.text)}: Status offen → erreicht" in text
    amounts = [" ".join(filter(None, (amount, kpi.unit))) for amount in ("12", "27,5")]
    assert (
        f"Kennzahl {normalized(kpi.name)}: {amounts[0]} (30.06.2020), {amounts[1]} (30.09.2020)"
        in text
    )
    unchanged = [
        number
        for number in Measure.objects.filter(working_group__number=1)
        .in_number_order()
        .values_list("number", flat=True)
        if number not in {"1.1", "1.2", kpi.measure.number}
    ]
    assert "Keine Änderungen: " + ", ".join(unchanged) in text


def test_summary_is_frozen_and_listed_in_contents_and_bookmarks(two_reports):
    _first, second, *_ = two_reports
    assert second.snapshot["changes"]["previous"]["ds_number"] == "100-20"
    pdf = PdfText(Path(second.file.path).read_bytes())
    legend_page = _legend_page(pdf)
    summary_page = pdf.page_of(heading_pattern(*SUMMARY.split()), after=legend_page)
    group_page = pdf.page_of(
        heading_pattern("1.", "Maßnahmen der Arbeitsgruppe I"), after=legend_page
    )
    assert summary_page == legend_page + 1 and group_page > summary_page
    contents = "\n".join(pdf.pages[: legend_page - 1])
    entry = re.compile(heading_pattern(*SUMMARY.split()).pattern + r"\s*\.{3,}\s*(\d+)")
    assert int(entry.search(contents)[1]) == summary_page
    outline = [(level, normalized(title), page) for level, title, page in pdf.outline()]
    assert outline[0] == (1, SUMMARY, summary_page)
    assert outline[1][1] == "1. Maßnahmen der Arbeitsgruppe I"


def test_re_rendering_an_old_report_reads_only_its_snapshot(two_reports):
    first, second, measure, *_ = two_reports
    before = render_report_html(second.snapshot)
    measure.delete()
    assert render_report_html(second.snapshot) == before
    # The first report had no previous report: its summary gives today's counts only.
    text = normalized(" ".join(PdfText(Path(first.file.path).read_bytes()).pages))
    assert "Zusammenfassung: Stand zum ersten Bericht" in text
    assert "Veränderungen je Maßnahme" not in text


def _charts(html: str) -> list[tuple[str, str]]:
    """(SVG, alt text) of every chart image in the report's HTML."""
    return [
        (base64.b64decode(source).decode(), unescape(alt))
        for source, alt in re.findall(
            r'<img class="kpi-chart" src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]*)">',
            html,
        )
    ]


def test_kpi_chart_is_drawn_under_the_kennzahlen_of_its_measure(two_reports):
    *_, kpi = two_reports
    second = two_reports[1]
    html = render_report_html(second.snapshot)
    section = html[html.index(f'id="m-{kpi.measure.number.replace(".", "-")}"') :]
    section = section[: section.index("</article>")]
    assert section.index("KENNZAHLEN:") < section.index('<img class="kpi-chart"')
    # Exactly one chart: the other KPIs of group I have no values.
    ((svg, alt),) = _charts(html)
    assert _charts(section) == [(svg, alt)]
    unit = f" {kpi.unit}" if kpi.unit else ""
    values = f"30.06.2020: 12{unit}; 30.09.2020: 27,5{unit}; Zielwert 40{unit}"
    assert f"<desc>{values}</desc>" in svg
    assert 'class="kpi-target"' in svg
    assert alt == f"Verlauf {kpi.name}: {values}"
    pdf = PdfText(render_report_pdf(html).content)
    start = pdf.page_of(heading_pattern(kpi.measure.number, kpi.measure.title), after=3)
    text = normalized(" ".join(pdf.pages[start - 1 : start + 1]))
    # The caption, and the chart's axis labels drawn as text by WeasyPrint.
    assert f"Verlauf: {normalized(kpi.name)}" in text
    assert "30.06.2020" in text and "30.09.2020" in text


def test_contents_page_numbers_still_match_with_summary_and_charts(two_reports):
    second = two_reports[1]
    pdf = PdfText(Path(second.file.path).read_bytes())
    legend_page = _legend_page(pdf)
    summary_page = pdf.page_of(heading_pattern(*SUMMARY.split()), after=legend_page)
    contents = "\n".join(pdf.pages[: legend_page - 1])
    (group,) = second.snapshot["groups"]
    items = [(f"{group['number']}.", f"Maßnahmen der Arbeitsgruppe {group['numeral']}")]
    items += [(measure["number"], measure["title"]) for measure in group["measures"]]
    listed, found = {}, {}
    for number, title in items:
        entry = re.compile(heading_pattern(number, title).pattern + r"\s*\.{3,}\s*(\d+)")
        listed[number] = int(entry.search(contents)[1])
        # The summary lists changed measures by number and title too: look after it.
        found[number] = pdf.page_of(heading_pattern(number, title), after=summary_page)
    assert listed == found
