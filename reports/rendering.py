"""Snapshot → HTML → PDF bytes. Pure functions: no database, no network, no files written.

The worker that renders has no request, so WeasyPrint gets a base URL on the static folder and
a URL fetcher that serves only files below it.
"""

import base64
import gc
import html
import math
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import groupby
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pydyf
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from kpis.charts import Point, kpi_trend_svg
from masterplan.numbers import format_decimal
from measures.markup import render_description

from .round_summary import round_status_view, round_summary_context

STATIC_ROOT = Path(settings.BASE_DIR) / "static"
TEMPLATE = "reports/pdf/report.html"

STANDARD_PDF_VARIANT = "pdf/ua-1"

_HEADING_TAG = re.compile(r"<(/?)h([1-6])>")


def description_html(source: str) -> str:
    """A measure's Markdown description as safe HTML, the same text the web pages show.

    Typed HTML shows as literal text (see `measures.markup`). In the report the measure
    heading is an h3, so the description's headings move one level down, below it.
    """
    rendered = str(render_description(source))
    return _HEADING_TAG.sub(lambda match: f"<{match[1]}h{min(int(match[2]) + 1, 6)}>", rendered)


# Icons, drawn as inline SVG so they look the same on every machine (no emoji font needed).
def _svg(body: str, label: str) -> str:
    return (
        '<svg class="icon" viewBox="0 0 24 24" width="14" height="14" role="img" '
        f'aria-label="{html.escape(label)}" xmlns="http://www.w3.org/2000/svg">{body}</svg>'
    )


def _arrow(angle: int) -> str:
    return (
        f'<g transform="rotate({angle} 12 12)" stroke="#1f3b5c" stroke-width="2.6" '
        'fill="none" stroke-linecap="round" stroke-linejoin="round">'
        '<path d="M4 12 H19"/><path d="M13 6 L19 12 L13 18"/></g>'
    )


def _pie(fraction: float) -> str:
    outline = '<circle cx="12" cy="12" r="9" fill="none" stroke="#1f3b5c" stroke-width="2"/>'
    if fraction >= 1:
        return outline + '<circle cx="12" cy="12" r="9" fill="#1f3b5c"/>'
    angle = 2 * math.pi * fraction
    x, y = 12 + 9 * math.sin(angle), 12 - 9 * math.cos(angle)
    large = 1 if fraction > 0.5 else 0
    sector = f'<path d="M12 12 L12 3 A9 9 0 {large} 1 {x:.2f} {y:.2f} Z" fill="#1f3b5c"/>'
    return outline + sector


def _star_points() -> list[tuple[float, float]]:
    points = []
    for index in range(10):
        radius = 10 if index % 2 == 0 else 4.2
        angle = math.pi / 5 * index
        points.append((12 + radius * math.sin(angle), 12.5 - radius * math.cos(angle)))
    return points


def _polygon(points, fill: str) -> str:
    coordinates = " ".join(f"{x:.2f},{y:.2f}" for x, y in points)
    return (
        f'<polygon points="{coordinates}" fill="{fill}" stroke="#8a6d00" '
        'stroke-width="1.4" stroke-linejoin="round"/>'
    )


def _star(filling: str) -> str:
    points = _star_points()
    if filling == "full":
        return _polygon(points, "#e0b000")
    empty = _polygon(points, "none")
    if filling == "none":
        return empty
    # Left half: the top point, the points left of the axis, the inner point below the centre.
    left = [points[0], *points[6:], points[5]]
    return _polygon(left, "#e0b000") + empty


ICON_BODIES = {
    ("cost", "gering"): _arrow(45),
    ("cost", "mittel"): _arrow(0),
    ("cost", "hoch"): _arrow(-45),
    ("personnel", "gering"): _arrow(45),
    ("personnel", "mittel"): _arrow(0),
    ("personnel", "hoch"): _arrow(-45),
    ("timeframe", "kurzfristig"): _pie(0.25),
    ("timeframe", "mittelfristig"): _pie(0.5),
    ("timeframe", "langfristig"): _pie(1),
    ("quick_win", "ja"): _star("full"),
    ("quick_win", "teilweise"): _star("half"),
    ("quick_win", "nein"): _star("none"),
}


def rating_icon(kind: str, level: str, label: str) -> str:
    body = ICON_BODIES.get((kind, level))
    return _svg(body, label) if body else ""


# From snapshot to what the template shows.
def _date(iso: str | None) -> str:
    return formats.date_format(date.fromisoformat(iso), "SHORT_DATE_FORMAT") if iso else ""


def _number(plain: str | None) -> str:
    return format_decimal(None if plain is None else Decimal(plain))


def _legend_lines(legend: list[dict]) -> list[dict]:
    """One line per scale; levels sharing a definition are printed once ("Ja/Teilweise = …")."""
    lines = []
    for scale in legend:
        entries = []
        defined = [level for level in scale["levels"] if level["definition"]]
        for definition, levels in groupby(defined, key=lambda level: level["definition"]):
            labels = [level["label"] for level in levels]
            if len(labels) > 1:
                labels = [label[:1].upper() + label[1:] for label in labels]
            entries.append({"labels": "/".join(labels), "definition": definition})
        lines.append({"label": scale["label"], "note": scale["note"], "entries": entries})
    return lines


def _goal_line(goal: dict) -> dict:
    text = goal["text"]
    if goal["target"] and goal["target"].casefold() not in text.casefold():
        text = f"{text} ({goal['target']})"
    remarks = []
    if goal["status"] not in ("", "offen"):
        remarks.append(goal["status_label"])
    if goal["overdue"]:
        remarks.append(_("überfällig"))
    return {
        "text": text,
        "remarks": remarks,
        "overdue": goal["overdue"],
        "progress_note": goal["progress_note"],
    }


def _kpi_line(kpi: dict) -> dict:
    remarks = []
    if kpi["values"]:
        latest = kpi["values"][-1]
        value = " ".join(part for part in (_number(latest["value"]), kpi["unit"]) if part)
        remarks.append(
            _("Stand %(date)s: %(value)s") % {"date": _date(latest["date"]), "value": value}
        )
    if kpi["target"]:
        remarks.append(_("Ziel: %(target)s") % {"target": kpi["target"]})
    return {"text": kpi["name"], "remarks": remarks, "chart": _kpi_chart(kpi)}


def _kpi_chart(kpi: dict) -> dict | None:
    """The KPI's values over time (`kpis.charts`) as an SVG image with a text alternative;
    None with fewer than two values (the KPI line gives a single value as text).

    An <img> with a data URL, not inline <svg>: WeasyPrint would compute CSS styles for every
    element of an inline SVG as part of the document, about 125 KB per chart that stay in
    memory until the PDF is written (740 charts: some 100 MiB more at the peak).
    """
    points = [
        Point(date=date.fromisoformat(value["date"]), value=Decimal(value["value"]))
        for value in kpi["values"]
    ]
    if not points:
        return None
    target = kpi.get("target_value")
    chart = kpi_trend_svg(
        points,
        target=Decimal(target) if target is not None else None,
        title=kpi["name"],
        unit=kpi["unit"],
    )
    if not chart:
        return None  # one value: the KPI's line says it ("Stand …")
    # Labels in the report's embedded font, like the text around the chart.
    svg = chart.svg.replace("<svg ", '<svg font-family="Report Sans" ', 1)
    return {
        "src": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii"),
        "alt": _("Verlauf %(name)s: %(values)s")
        % {"name": kpi["name"], "values": chart.description},
    }


def _by_category(items: list[dict], line) -> list[dict]:
    """Consecutive items of one category form a block; items without category come first."""
    blocks = []
    for category, group in groupby(items, key=lambda item: item.get("category", "")):
        blocks.append({"category": category, "lines": [line(item) for item in group]})
    return blocks


def _measure_view(measure: dict) -> dict:
    anchor = "m-" + measure["number"].replace(".", "-")
    return {
        "anchor": anchor,
        "number": measure["number"],
        "title": measure["title"],
        "status_label": measure["status_label"],
        "responsible_units": measure["responsible_units"],
        "description": mark_safe(description_html(measure["description"])),  # noqa: S308
        "round_status": round_status_view(measure),
        "goal_blocks": _by_category(measure["goals"], _goal_line),
        "kpi_lines": [_kpi_line(kpi) for kpi in measure["kpis"]],
        "ratings": [
            {
                "label": rating["label"],
                "level_label": rating["level_label"],
                "icon": mark_safe(  # noqa: S308 - built from our constants only
                    rating_icon(rating["kind"], rating["level"], rating["level_label"])
                ),
            }
            for rating in measure["ratings"]
        ],
    }


def _level(label: str) -> str:
    return label or "–"


def _goal_change_line(goal: dict) -> str:
    text = goal["text"]
    if goal["change"] == "added":
        return _("Neues Ziel: %(text)s") % {"text": text}
    if goal["change"] == "removed":
        return _("Ziel gestrichen: %(text)s") % {"text": text}
    parts = []
    for field in goal["fields"]:
        if field["field"] == "status":
            parts.append(
                _("Status %(before)s → %(after)s")
                % {"before": field["before"], "after": field["after"]}
            )
        elif field["field"] == "target":
            parts.append(
                _("Zieltermin „%(before)s“ → „%(after)s“")
                % {"before": field["before"] or "–", "after": field["after"] or "–"}
            )
        elif field["field"] == "progress_note":
            parts.append(_("Fortschritt: %(note)s") % {"note": field["after"] or _("(gelöscht)")})
        elif field["field"] == "text":
            parts.append(_("Text geändert (bisher: %(before)s)") % {"before": field["before"]})
    return _("Ziel %(text)s: %(changes)s") % {"text": text, "changes": "; ".join(parts)}


def _kpi_value_lines(values: list[dict]) -> list[str]:
    """One line per KPI with its new (or corrected) values in date order."""
    lines = []
    for kpi, group in groupby(values, key=lambda value: value["kpi"]):
        shown = []
        for value in group:
            amount = " ".join(part for part in (_number(value["value"]), value["unit"]) if part)
            if value["corrected"]:
                shown.append(
                    _("%(value)s (%(date)s, korrigiert, bisher %(before)s)")
                    % {
                        "value": amount,
                        "date": _date(value["date"]),
                        "before": _number(value["before"]),
                    }
                )
            else:
                shown.append(
                    _("%(value)s (%(date)s)") % {"value": amount, "date": _date(value["date"])}
                )
        lines.append(_("Kennzahl %(kpi)s: %(values)s") % {"kpi": kpi, "values": ", ".join(shown)})
    return lines


def _changed_measure(measure: dict) -> dict:
    lines = []
    if measure["status"]:
        lines.append(
            _("Status: %(before)s → %(after)s")
            % {
                "before": measure["status"]["before_label"],
                "after": measure["status"]["after_label"],
            }
        )
    for rating in measure["ratings"]:
        lines.append(
            _("%(rating)s: %(before)s → %(after)s")
            % {
                "rating": rating["label"],
                "before": _level(rating["before_label"]),
                "after": _level(rating["after_label"]),
            }
        )
    lines += [_goal_change_line(goal) for goal in measure["goals"]]
    lines += _kpi_value_lines(measure["kpi_values"])
    return {
        "anchor": "m-" + measure["number"].replace(".", "-"),
        "number": measure["number"],
        "title": measure["title"],
        "lines": lines,
    }


def _frozen_on(snapshot: dict) -> str | None:
    """The local date the data were frozen ("Stand"), as ISO text."""
    frozen_at = snapshot.get("frozen_at")
    if not frozen_at:
        return None
    return timezone.localtime(datetime.fromisoformat(frozen_at)).date().isoformat()


def changes_title(changes: dict) -> str:
    previous = changes["previous"]
    if previous is None:
        return _("Zusammenfassung: Stand zum ersten Bericht")
    if not previous["ds_number"]:
        return _("Zusammenfassung: Veränderungen seit dem letzten Bericht (Entwurf, %(date)s)") % {
            "date": _date(previous["report_date"])
        }
    return _(
        "Zusammenfassung: Veränderungen seit dem letzten Bericht (DS-Nr. %(number)s, %(date)s)"
    ) % {"number": previous["ds_number"], "date": _date(previous["report_date"])}


def _delta(now: int, before: int | None) -> str:
    if before is None:
        return "–"
    return f"{now - before:+d}" if now != before else "±0"


def _count_row(label: str, now: int, before: int | None) -> dict:
    return {"label": label, "now": now, "before": before, "delta": _delta(now, before)}


def changes_context(changes: dict | None) -> dict | None:
    """The summary page; None for snapshots frozen before changes were (old reports)."""
    if changes is None:
        return None
    goals = changes["goals"]
    before = goals["before"] or {}
    return {
        "title": changes_title(changes),
        "first_report": changes["first_report"],
        "groups_not_compared": changes["groups_not_compared"],
        "status_counts": [
            _count_row(row["label"], row["now"], row["before"]) for row in changes["status_counts"]
        ],
        "status_total": _count_row(
            _("Maßnahmen insgesamt"),
            sum(row["now"] for row in changes["status_counts"]),
            None
            if changes["first_report"]
            else sum(row["before"] for row in changes["status_counts"]),
        ),
        "goal_rows": [
            _count_row(_("Ziele erreicht"), goals["now"]["reached"], before.get("reached")),
            _count_row(_("Ziele überfällig"), goals["now"]["overdue"], before.get("overdue")),
            _count_row(_("Ziele insgesamt"), goals["now"]["total"], before.get("total")),
        ],
        "measures": [_changed_measure(measure) for measure in changes["measures"]],
        "added": changes["measures_added"],
        "removed": changes["measures_removed"],
        "unchanged": changes["unchanged"],
    }


def report_context(snapshot: dict) -> dict:
    report = snapshot["report"]
    return {
        "changes": changes_context(snapshot.get("changes")),
        "round": round_summary_context(snapshot),
        "document_title": _("%(title)s – DS-Nr. %(number)s")
        % {"title": report["title"], "number": report["ds_number"]}
        if report["ds_number"]
        else _("%(title)s – Entwurf") % {"title": report["title"]},
        "title": report["title"],
        "ds_number": report["ds_number"],
        "report_date": _date(report["report_date"]),
        "data_date": _date(_frozen_on(snapshot) or report["report_date"]),
        "programme": snapshot["programme"],
        "legend": _legend_lines(snapshot["legend"]),
        "groups": [
            {
                "anchor": f"g-{group['number']}",
                "number": group["number"],
                "numeral": group["numeral"],
                "name": group["name"],
                "measures": [_measure_view(measure) for measure in group["measures"]],
            }
            for group in snapshot["groups"]
        ],
    }


def render_report_html(snapshot: dict) -> str:
    """The report as one HTML document, in the language it was frozen in."""
    with translation.override(snapshot.get("language") or settings.LANGUAGE_CODE):
        return render_to_string(TEMPLATE, report_context(snapshot))


class StaticFileFetcher(URLFetcher):
    """Serves `file:` URLs below the static folder and `data:` URLs (the charts), and refuses
    everything else (no network)."""

    def fetch(self, url, headers=None):
        parsed = urlsplit(url)
        if parsed.scheme == "data":
            return super().fetch(url, headers)
        path = Path(url2pathname(parsed.path)).resolve()
        if parsed.scheme != "file" or not path.is_relative_to(STATIC_ROOT.resolve()):
            raise ValueError(f"The report may only load its own static files, not {url}")
        return super().fetch(url, headers)


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    page_count: int


def pdf_options(pdf_variant: str) -> dict:
    """Archival reports are PDF/A-3b; every report is tagged (PDF/UA-1 where not archival)."""
    return {"pdf_variant": pdf_variant or STANDARD_PDF_VARIANT, "pdf_tags": True}


def _cached_page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
    kids = pdf.pages["Kids"]
    cached = pdf.__dict__.get("_page_references_cache")
    if cached is None or cached[0] != len(kids):
        references = tuple(f"{number} 0 R".encode("ascii") for number in kids[::3])
        cached = pdf.__dict__["_page_references_cache"] = (len(kids), references)
    return cached[1]


# pydyf rebuilds the tuple of all page references on every access, and WeasyPrint's tagging
# reads it once per tagged element: writing a tagged PDF took time growing with the square of
# the page count (500 measures: 11 of 18 s spent there). Pages are only ever appended to
# "Kids", so a cache keyed by its length returns exactly what pydyf would.
pydyf.PDF.page_references = property(_cached_page_references)


@contextmanager
def _cyclic_gc_paused():
    """WeasyPrint builds millions of long-lived objects for a large report. Python's cyclic
    collector rescans all of them on every full pass, which made the render time grow with
    the square of the page count (500 measures: 77 s instead of 47 s). Its garbage is freed
    by reference counting anyway: peak memory differs by about 3 %.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def render_report_pdf(report_html: str, *, pdf_variant: str = "") -> RenderedPdf:
    options = pdf_options(pdf_variant)
    with _cyclic_gc_paused():
        document = HTML(
            string=report_html,
            base_url=STATIC_ROOT.as_uri() + "/",
            url_fetcher=StaticFileFetcher(allowed_protocols={"file", "data"}),
        ).render(font_config=FontConfiguration(), **options)
        # What layout left behind in reference cycles goes before the PDF is written, the
        # step with the highest memory use (500 measures: about 100 MiB less at the peak).
        gc.collect()
        return RenderedPdf(content=document.write_pdf(**options), page_count=len(document.pages))
