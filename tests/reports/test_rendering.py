"""The seed report as the committee receives it, checked on the PDF's extracted text."""

import copy
import re

import pytest

from reports.icons import ICON_FILES, rating_icon, traffic_light_icon
from reports.pdf import STATIC_ROOT, StaticFileFetcher, render_report_pdf
from reports.rendering import changes_title, description_html, render_report_html
from rounds.models import TrafficLight

from .conftest import SEED_DS_NUMBER, PdfText, heading_pattern, normalized

pytestmark = pytest.mark.django_db


def _measures(snapshot):
    return [measure for group in snapshot["groups"] for measure in group["measures"]]


def _measure(snapshot, number):
    return next(measure for measure in _measures(snapshot) if measure["number"] == number)


def _legend_page(pdf: PdfText) -> int:
    return pdf.page_of(re.compile(r"(?m)^Legende$"))


def _heading_pages(seed_report) -> dict[str, int]:
    """Page of every group and measure heading, found after the contents and the legend."""
    pdf = seed_report.pdf
    after = _legend_page(pdf)
    pages = {}
    for group in seed_report.snapshot["groups"]:
        pages[f"{group['number']}."] = pdf.page_of(
            heading_pattern(
                f"{group['number']}.", f"Maßnahmen der Arbeitsgruppe {group['numeral']}"
            ),
            after=after,
        )
        for measure in group["measures"]:
            pages[measure["number"]] = pdf.page_of(
                heading_pattern(measure["number"], measure["title"]), after=after
            )
    return pages


def _toc_entries(seed_report) -> dict[str, int]:
    """Page numbers the table of contents gives, read from its dot-leader lines."""
    pdf = seed_report.pdf
    toc_text = "\n".join(pdf.pages[: _legend_page(pdf) - 1])
    entries = {}
    for group in seed_report.snapshot["groups"]:
        items = [(f"{group['number']}.", f"Maßnahmen der Arbeitsgruppe {group['numeral']}")]
        items += [(measure["number"], measure["title"]) for measure in group["measures"]]
        for number, title in items:
            pattern = re.compile(heading_pattern(number, title).pattern + r"\s*\.{3,}\s*(\d+)")
            match = pattern.search(toc_text)
            assert match, f"no contents entry for {number} {title}"
            entries[number] = int(match[1])
    return entries


def test_seed_report_has_all_25_measure_headings_in_order(seed_report):
    measures = _measures(seed_report.snapshot)
    assert len(measures) == 25
    pages = _heading_pages(seed_report)
    measure_pages = [pages[measure["number"]] for measure in measures]
    # Every measure starts on a page of its own, in programme order.
    assert measure_pages == sorted(measure_pages)
    assert len(set(measure_pages)) == 25


def test_toc_page_numbers_match_the_pages_of_the_headings(seed_report):
    assert _toc_entries(seed_report) == _heading_pages(seed_report)


def test_bookmarks_list_groups_and_measures_with_their_pages(seed_report):
    outline = seed_report.pdf.outline()
    pages = _heading_pages(seed_report)
    expected = []
    for group in seed_report.snapshot["groups"]:
        title = f"{group['number']}. Maßnahmen der Arbeitsgruppe {group['numeral']}"
        expected.append((1, title, pages[f"{group['number']}."]))
        for measure in group["measures"]:
            title = f"{measure['number']} {measure['title']}"
            expected.append((2, title, pages[measure["number"]]))
    assert [(level, normalized(title), page) for level, title, page in outline] == expected


def test_title_and_footer_on_every_page(seed_report):
    pdf = seed_report.pdf
    title = f"Anhang zum Sachstandsbericht – DS-Nr. {SEED_DS_NUMBER}"
    assert normalized(pdf.pages[0]).startswith(title)
    for number, text in enumerate(pdf.pages, start=1):
        flat = normalized(text)
        assert f"Seite {number} von {seed_report.page_count}" in flat
        assert title in flat
    assert len(pdf.reader.pages) == seed_report.page_count


def test_legend_prints_thresholds_and_numbering_note(seed_report):
    pdf = seed_report.pdf
    legend = normalized(pdf.pages[_legend_page(pdf) - 1])
    for text in (
        "Umsetzungs- und Folgekostenschätzung (investive & konsumtive Ausgaben im "
        "Realisierungszeitraum):",
        "gering = kleiner 50.000 €",
        "mittel = zwischen 50.000€ - 1.000.000 €",
        "hoch = größer 1.000.000€",
        "Personelle Ressourcen: gering = kleiner 2 VZV MA",
        "hoch = größer 5,0 VZV MA",
        "kurzfristig = kleiner 1 Jahr",
        "langfristig = größer 3 Jahre",
        "Potential Quickwins: Ja/Teilweise = Realisierungszeitraum mittel- bis kurzfristig & "
        "geringer Ressourcenbedarf",
        "Hinweis: Die Nummerierung der Positionen erfolgte wertungsfrei - es handelt sich "
        "lediglich um laufende Nummern.",
    ):
        assert text in legend


@pytest.mark.parametrize("number", ["1.1", "1.2", "3.1", "4.5"])
def test_goals_and_kpis_stand_on_the_measure_page(seed_report, number):
    measure = _measure(seed_report.snapshot, number)
    pdf = seed_report.pdf
    start = _heading_pages(seed_report)[number]
    following = [page for page in _heading_pages(seed_report).values() if page > start]
    end = min(following) - 1 if following else seed_report.page_count
    text = normalized(" ".join(pdf.pages[start - 1 : end]))
    assert "ZIELE:" in text
    goal_positions = [text.index("/// " + normalized(goal["text"])) for goal in measure["goals"]]
    assert goal_positions == sorted(goal_positions)
    for category in {goal["category"] for goal in measure["goals"] if goal["category"]}:
        assert category in text
    if measure["kpis"]:
        assert "KENNZAHLEN:" in text
        for kpi in measure["kpis"]:
            assert "/// " + normalized(kpi["name"]) in text
    else:
        assert "KENNZAHLEN:" not in text


def test_rating_table_shows_the_levels_as_text(seed_report):
    pdf = seed_report.pdf
    pages = _heading_pages(seed_report)
    header = "Umsetzungs- und Folgekostenschätzung Personelle Ressourcen Realisierungszeitraum"
    for number in ("1.1", "1.2", "3.5"):
        measure = _measure(seed_report.snapshot, number)
        text = normalized(pdf.pages[pages[number] - 1])
        assert header in text and "Potential Quickwins" in text
        levels = " ".join(rating["level_label"] for rating in measure["ratings"])
        assert levels in text
    # 1.1: mittel / gering / mittelfristig / nein, exactly as in the source document.
    assert "mittel gering mittelfristig nein" in normalized(pdf.pages[pages["1.1"] - 1])


def test_unrated_levels_show_dashes_and_no_icons(seed_report):
    # 4.6: cost printed "different" and no quick-win rating; personnel and timeframe rated.
    assert [rating["level"] for rating in _measure(seed_report.snapshot, "4.6")["ratings"]] == [
        "",
        "gering",
        "mittelfristig",
        "",
    ]
    html = seed_report.html
    section = html[html.index('id="m-4-6"') :]
    table = section[section.index('<table class="ratings">') : section.index("</table>")]
    assert table.count('<img class="icon"') == 2
    assert 'alt="gering"' in table and 'alt="mittelfristig"' in table
    assert table.count('class="not-rated"') == 2


def test_icons_are_static_svg_files_with_alternative_text_for_every_rated_level(seed_report):
    html = seed_report.html
    section = html[html.index('id="m-1-2"') :]
    table = section[section.index('<table class="ratings">') : section.index("</table>")]
    assert table.count('<img class="icon"') == 4
    assert 'src="reports/icons/arrow-up.svg" alt="hoch"' in table
    assert 'src="reports/icons/star-full.svg" alt="ja"' in table
    assert "<svg" not in html


def test_every_rating_icon_is_a_file_below_static():
    for kind, level in ICON_FILES:
        icon = rating_icon(kind, level, level)
        assert (STATIC_ROOT / icon["src"]).is_file(), icon["src"]
        assert icon["alt"] == level


def test_every_traffic_light_has_an_icon_file_below_static():
    for light in TrafficLight:
        icon = traffic_light_icon(light.value, light.label)
        assert (STATIC_ROOT / icon["src"]).is_file(), icon["src"]
        assert icon["alt"] == light.label
    assert traffic_light_icon("", "") is None


def test_fonts_are_embedded_and_text_is_tagged(seed_report):
    reader = seed_report.pdf.reader
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for font in fonts.values():
        descendant = font.get_object()["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in descendant["/FontDescriptor"]
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "de"
    assert "pdfuaid" in reader.xmp_metadata.rdf_root.toxml()


def _with_description(snapshot, number, description):
    changed = copy.deepcopy(snapshot)
    _measure(changed, number)["description"] = description
    return changed


def test_html_typed_into_a_description_is_printed_as_text(seed_report):
    typed = "Vorher <b>fett</b> und <script>alert(1)</script> nachher"
    snapshot = _with_description(seed_report.snapshot, "1.1", typed)
    html = render_report_html(snapshot)
    assert "<b>fett</b>" not in html and "<script>" not in html
    pdf = PdfText(render_report_pdf(html).content)
    text = normalized(" ".join(pdf.pages))
    assert "Vorher <b>fett</b> und <script>alert(1)</script> nachher" in text


def test_description_markdown_keeps_headings_paragraphs_and_lists():
    html = description_html("Einleitung\n\n### Abschnitt\n\n- erstens\n- zweitens\n\nSchluss")
    assert "<h4>Abschnitt</h4>" in html
    assert "<ul>" in html and html.count("<li>") == 2
    assert html.count("<p>") == 2


def test_overdue_goal_and_latest_kpi_value_are_printed():
    snapshot = {
        "language": "de",
        "report": {"title": "Bericht", "ds_number": "1-20", "report_date": "2021-01-31"},
        "programme": {"name": "P", "organisation": "", "numbering_note": ""},
        "legend": [],
        "groups": [
            {
                "number": 1,
                "numeral": "I",
                "name": "Arbeitsgruppe I",
                "measures": [
                    {
                        "number": "1.1",
                        "title": "Maßnahme",
                        "description": "",
                        "status": "in_umsetzung",
                        "status_label": "in Umsetzung",
                        "responsible_units": "FB 11",
                        "ratings": [],
                        "goals": [
                            {
                                "category": "",
                                "text": "Konzept fertig",
                                "target": "bis Ende 2020",
                                "target_date": "2020-12-31",
                                "target_open_ended": False,
                                "status": "in_arbeit",
                                "status_label": "in Arbeit",
                                "progress_note": "Entwurf liegt vor",
                                "overdue": True,
                            }
                        ],
                        "kpis": [
                            {
                                "name": "Standorte",
                                "unit": "Stück",
                                "target": "75 pro Jahr",
                                "target_value": "75",
                                "target_date": None,
                                "values": [
                                    {"date": "2020-06-30", "value": "10", "note": ""},
                                    {"date": "2020-12-31", "value": "1234.5", "note": ""},
                                ],
                            }
                        ],
                    }
                ],
            }
        ],
    }
    text = normalized(
        " ".join(PdfText(render_report_pdf(render_report_html(snapshot)).content).pages)
    )
    assert "/// Konzept fertig (bis Ende 2020) – in Arbeit – überfällig Entwurf liegt vor" in text
    assert "/// Standorte – Stand 31.12.2020: 1.234,5 Stück – Ziel: 75 pro Jahr" in text
    assert "Verantwortlich: FB 11" in text


def test_pdfa_variant_says_pdfa_in_its_metadata(seed_report):
    snapshot = copy.deepcopy(seed_report.snapshot)
    snapshot["groups"] = snapshot["groups"][1:2]
    rendered = render_report_pdf(render_report_html(snapshot), pdf_variant="pdf/a-3b")
    xmp = PdfText(rendered.content).reader.xmp_metadata.rdf_root.toxml()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp


@pytest.mark.parametrize(
    "url", ["https://example.org/font.ttf", "file:///etc/passwd", "file:///work/../etc/hosts"]
)
def test_renderer_loads_nothing_but_its_static_files(url):
    with pytest.raises(ValueError, match="only load its own static files"):
        StaticFileFetcher().fetch(url)


def test_every_contents_entry_links_to_its_heading(seed_report):
    pdf = seed_report.pdf
    toc_pages = pdf.reader.pages[: _legend_page(pdf) - 1]
    link_targets = {
        str(annotation.get_object()["/Dest"])
        for page in toc_pages
        for annotation in page.get("/Annots", [])
        if annotation.get_object().get("/Subtype") == "/Link"
    }
    pages = _heading_pages(seed_report)
    expected = {
        f"g-{group['number']}": pages[f"{group['number']}."]
        for group in seed_report.snapshot["groups"]
    }
    expected |= {
        "m-" + measure["number"].replace(".", "-"): pages[measure["number"]]
        for measure in _measures(seed_report.snapshot)
    }
    assert link_targets == set(expected)
    destinations = pdf.reader.named_destinations
    for name, page in expected.items():
        assert pdf.reader.get_destination_page_number(destinations[name]) + 1 == page


def _title_page_meta(snapshot) -> str:
    html = render_report_html(snapshot)
    return normalized(re.search(r'<p class="report-meta">(.*?)</p>', html, re.S).group(1))


def test_stand_is_the_day_the_data_were_frozen_not_a_future_report_date(seed_report):
    snapshot = copy.deepcopy(seed_report.snapshot)
    snapshot["report"]["report_date"] = "2030-12-31"
    snapshot["frozen_at"] = "2026-03-02T22:30:00+00:00"  # 23:30 in Dortmund, still 2 March
    meta = _title_page_meta(snapshot)
    assert meta.endswith("Berichtsdatum: 31.12.2030 · Stand: 02.03.2026")


def test_stand_alone_when_the_data_were_frozen_on_the_report_date(seed_report):
    snapshot = copy.deepcopy(seed_report.snapshot)
    snapshot["report"]["report_date"] = "2026-03-02"
    snapshot["frozen_at"] = "2026-03-02T08:00:00+00:00"
    meta = _title_page_meta(snapshot)
    assert meta.endswith("· Stand: 02.03.2026") and "Berichtsdatum" not in meta


def test_a_draft_is_titled_as_such_and_so_is_a_summary_against_it(seed_report):
    snapshot = copy.deepcopy(seed_report.snapshot)
    snapshot["report"]["ds_number"] = ""
    html = render_report_html(snapshot)
    assert "<title>Anhang zum Sachstandsbericht – Entwurf</title>" in html
    heading = re.search(r'<h1 class="report-title">(.*?)</h1>', html, re.S).group(1)
    assert "Entwurf" in heading and "DS-Nr" not in heading
    changes = {"previous": {"ds_number": "", "report_date": "2026-01-15"}}
    assert changes_title(changes) == (
        "Zusammenfassung: Veränderungen seit dem letzten Bericht (Entwurf, 15.01.2026)"
    )
