"""Snapshot → context → HTML. Pure functions: no database, no network, no files written.

The web pages use this module too (the change summary), so it must not import WeasyPrint: the
HTML → PDF step lives in `reports.pdf`, which only the worker (and the command line) loads.
"""

import base64
import re
from datetime import date, datetime
from decimal import Decimal
from itertools import groupby

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from kpis.charts import Point, kpi_trend_svg
from masterplan.numbers import format_decimal
from measures.markup import render_description

from .icons import rating_icon
from .round_summary import round_status_view, round_summary_context

TEMPLATE = "reports/pdf/report.html"

_HEADING_TAG = re.compile(r"<(/?)h([1-6])>")


def description_html(source: str) -> str:
    """A measure's Markdown description as safe HTML, the same text the web pages show.

    Typed HTML shows as literal text (see `measures.markup`). In the report the measure
    heading is an h3, so the description's headings move one level down, below it.
    """
    rendered = str(render_description(source))
    return _HEADING_TAG.sub(lambda match: f"<{match[1]}h{min(int(match[2]) + 1, 6)}>", rendered)


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
                "icon": rating_icon(rating["kind"], rating["level"], rating["level_label"]),
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
