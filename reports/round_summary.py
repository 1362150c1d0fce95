"""The round's part of the PDF: each measure's Ampel and Sachstand, and the summary page.

Pure functions of a snapshot (no database), like `rendering`, which calls them. The Ampel is
always an icon AND a word (never colour alone); the chart of the Ampel per working group is an
SVG drawn here (as `kpis.charts` draws the KPI trends) with a text alternative, and the same
counts stand beside it as a table.
"""

import base64
from html import escape

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .icons import traffic_light_icon

# The Ampel values in the order the summary counts them (rounds.models.TrafficLight), with the
# colour of the chart and the PDF text, and the icon's shape (the same shapes as the web
# pages' `rounds/_traffic_light.html`: circle, triangle, octagon, tick, dashed ring).
LIGHTS = ("im_plan", "gefaehrdet", "kritisch", "abgeschlossen", "nicht_begonnen")
NO_LIGHT = ""
COLOURS = {
    "im_plan": "#1d6b2f",
    "gefaehrdet": "#8a5a00",
    "kritisch": "#b00020",
    "abgeschlossen": "#1f4e8c",
    "nicht_begonnen": "#555555",
    NO_LIGHT: "#b8b8b8",
}
# Needing the committee's attention, in this order on the summary page.
ATTENTION = ("kritisch", "gefaehrdet")


def ampel_icon(light: str, label: str) -> str:
    """The Ampel's icon, always followed by its word; the alternative text names the Ampel too.

    An <img> of a static file (`reports.icons`), not inline <svg>: WeasyPrint loads each URL
    once per document, while an inline SVG is styled and laid out again at every measure.
    """
    icon = traffic_light_icon(light, label) if light in LIGHTS else None
    if icon is None:
        return ""
    return (
        f'<img class="ampel-icon" src="{icon["src"]}" width="11" height="11" '
        f'alt="{escape(_("Ampel: %(label)s") % {"label": label})}">'
    )


def round_status_view(measure: dict) -> dict | None:
    """What the PDF prints under a measure's heading; None for reports without a round."""
    if "round_status" not in measure:
        return None
    status = measure["round_status"]
    if status is None:
        return {"missing": True}
    light = status.get("traffic_light") or NO_LIGHT
    label = status.get("traffic_light_label") or _("keine Ampel")
    return {
        "missing": False,
        "light": light,
        "label": label,
        "icon": mark_safe(ampel_icon(light, label)),  # noqa: S308 - built from constants
        "reason": status.get("traffic_light_reason", ""),
        "achieved": status.get("achieved", ""),
        "next_steps": status.get("next_steps", ""),
        "decision_needed": status.get("decision_needed", ""),
        "progress_percent": status.get("progress_percent"),
        "not_approved": not status.get("approved", False),
        "earlier_round": "" if status.get("current", True) else status.get("round", ""),
    }


def _label_of(light: str, labels: dict[str, str]) -> str:
    return labels.get(light) or _("keine Meldung")


def ampel_chart_svg(rows: list[dict], labels: dict[str, str]) -> str:
    """Stacked horizontal bars, one per working group: how many measures have which Ampel."""
    bar_height, gap, label_width, width = 16, 8, 60, 420
    legend_height = 18
    height = len(rows) * (bar_height + gap) + legend_height + gap
    widest = max((row["total"] for row in rows), default=0) or 1
    scale = (width - label_width - 40) / widest
    parts = []
    for index, row in enumerate(rows):
        y = index * (bar_height + gap)
        parts.append(
            f'<text x="0" y="{y + bar_height - 4}" font-size="11">'
            f"{escape(_('AG %(numeral)s') % {'numeral': row['numeral']})}</text>"
        )
        x = label_width
        for light, count in row["counts"]:
            if count:
                w = count * scale
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}" '
                    f'fill="{COLOURS[light]}" stroke="#ffffff" stroke-width="1"/>'
                )
                if w >= 14:
                    parts.append(
                        f'<text x="{x + w / 2:.1f}" y="{y + bar_height - 4}" font-size="10" '
                        f'fill="#ffffff" text-anchor="middle">{count}</text>'
                    )
                x += w
        parts.append(
            f'<text x="{x + 4:.1f}" y="{y + bar_height - 4}" font-size="10">{row["total"]}</text>'
        )
    y = len(rows) * (bar_height + gap) + gap
    x = 0
    for light in (*LIGHTS, NO_LIGHT):
        label = _label_of(light, labels)
        parts.append(
            f'<rect x="{x}" y="{y}" width="10" height="10" fill="{COLOURS[light]}"/>'
            f'<text x="{x + 13}" y="{y + 9}" font-size="9">{escape(label)}</text>'
        )
        x += 18 + len(label) * 5.2
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" font-family="Report Sans" '
        f'viewBox="0 0 {max(width, int(x))} {height}" width="{max(width, int(x))}" '
        f'height="{height}">{"".join(parts)}</svg>'
    )


def round_summary_context(snapshot: dict) -> dict | None:
    """The round's summary page: Ampel per working group (table, chart, text alternative),
    the kritisch and gefährdet measures with their reasons, all Entscheidungsbedarf items
    (only in a report with internal fields) and completion ("18 von 25 freigegeben")."""
    round_ = snapshot.get("round")
    if round_ is None:
        return None
    labels = {light["value"]: light["label"] for light in round_.get("lights", [])}
    rows, attention, decisions = [], [], []
    for group in snapshot["groups"]:
        counts = dict.fromkeys((*LIGHTS, NO_LIGHT), 0)
        for measure in group["measures"]:
            status = measure.get("round_status") or {}
            light = status.get("traffic_light") or NO_LIGHT
            counts[light] = counts.get(light, 0) + 1
            if light:
                labels.setdefault(light, status["traffic_light_label"])
            anchor = "m-" + measure["number"].replace(".", "-")
            entry = {
                "anchor": anchor,
                "number": measure["number"],
                "title": measure["title"],
                "light": light,
                "not_approved": bool(status) and not status.get("approved", False),
            }
            if light in ATTENTION:
                attention.append(
                    {
                        **entry,
                        "label": status["traffic_light_label"],
                        "icon": mark_safe(ampel_icon(light, status["traffic_light_label"])),  # noqa: S308
                        "reason": status.get("traffic_light_reason", ""),
                    }
                )
            if round_["include_internal"] and status.get("decision_needed", "").strip():
                decisions.append({**entry, "text": status["decision_needed"]})
        rows.append(
            {
                "numeral": group["numeral"],
                "name": group["name"],
                "counts": [(light, counts[light]) for light in (*LIGHTS, NO_LIGHT)],
                "total": len(group["measures"]),
            }
        )
    attention.sort(key=lambda item: ATTENTION.index(item["light"]))
    columns = [(light, _label_of(light, labels)) for light in (*LIGHTS, NO_LIGHT)]
    description = "; ".join(
        _("Arbeitsgruppe %(numeral)s: %(counts)s")
        % {
            "numeral": row["numeral"],
            "counts": ", ".join(
                f"{count} {_label_of(light, labels)}" for light, count in row["counts"] if count
            )
            or _("keine Maßnahmen"),
        }
        for row in rows
    )
    svg = ampel_chart_svg(rows, labels)
    return {
        "name": round_["name"],
        "include_internal": round_["include_internal"],
        "include_unapproved": round_["include_unapproved"],
        "approved": round_["approved"],
        "measures": round_["measures"],
        "columns": [
            {"light": light, "label": label, "icon": mark_safe(ampel_icon(light, label))}  # noqa: S308
            for light, label in columns
        ],
        "rows": rows,
        "chart": {
            "src": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii"),
            "alt": _("Ampel je Arbeitsgruppe: %(description)s") % {"description": description},
        },
        "attention": attention,
        "decisions": decisions,
    }
