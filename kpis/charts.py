"""KPI trend charts as plain SVG, drawn on the server so that they print in the PDF.

A pure function of the values: the same values give the same SVG, in the browser and in the PDF.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import escape

WIDTH, HEIGHT = 480, 180
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 56, 16, 14, 34


@dataclass(frozen=True)
class Point:
    date: date
    value: Decimal


def _format_number(value: Decimal) -> str:
    """German number format: 1.234,5"""
    value = Decimal(value)
    text = f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def _nice_range(low: Decimal, high: Decimal) -> tuple[Decimal, Decimal]:
    if low == high:
        pad = abs(low) / 10 or Decimal(1)
        return low - pad, high + pad
    pad = (high - low) / 10
    return (Decimal(0) if low >= 0 and low - pad < 0 else low - pad), high + pad


def kpi_trend_svg(
    points: Sequence[Point], *, target: Decimal | None = None, title: str = "", unit: str = ""
) -> str:
    """An accessible SVG line chart of a KPI's values over time, with the target as a dashed line.

    Returns "" when there are no values, so templates can show an empty state instead.
    """
    if not points:
        return ""
    points = sorted(points, key=lambda point: point.date)
    values = [Decimal(point.value) for point in points]
    scale_values = [*values, target] if target is not None else values
    low, high = _nice_range(min(scale_values), max(scale_values))
    first, last = points[0].date.toordinal(), points[-1].date.toordinal()
    span_days = last - first
    span = max(span_days, 1)
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

    def x(day: date) -> float:
        if last == first:
            return MARGIN_LEFT + plot_w / 2
        return MARGIN_LEFT + plot_w * (day.toordinal() - first) / span

    def y(value: Decimal) -> float:
        return MARGIN_TOP + plot_h * float((high - value) / (high - low))

    suffix = f" {unit}" if unit else ""
    description = "; ".join(
        f"{point.date:%d.%m.%Y}: {_format_number(point.value)}{suffix}" for point in points
    )
    if target is not None:
        description += f"; Zielwert {_format_number(target)}{suffix}"
    label = escape(title or "Kennzahl", quote=True)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kpi-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{label}">',
        f"<title>{label}</title><desc>{escape(description)}</desc>",
        f'<rect x="{MARGIN_LEFT}" y="{MARGIN_TOP}" width="{plot_w}" height="{plot_h}" '
        'fill="#ffffff" stroke="#8a8a8a" stroke-width="0.75"/>',
    ]
    for value in (low, (low + high) / 2, high):
        tick = escape(_format_number(value.quantize(Decimal("0.01"))))
        parts.append(
            f'<text x="{MARGIN_LEFT - 6}" y="{y(value) + 4:.1f}" font-size="11" '
            f'text-anchor="end" fill="#333">{tick}</text>'
        )
    if target is not None:
        parts.append(
            f'<line class="kpi-target" x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" '
            f'y1="{y(target):.1f}" y2="{y(target):.1f}" stroke="#b35900" stroke-width="1.5" '
            'stroke-dasharray="6 4"/>'
        )
    polyline = " ".join(f"{x(point.date):.1f},{y(point.value):.1f}" for point in points)
    parts.append(
        f'<polyline class="kpi-line" points="{polyline}" fill="none" stroke="#004b87" '
        'stroke-width="2"/>'
    )
    for point in points:
        parts.append(
            f'<circle cx="{x(point.date):.1f}" cy="{y(point.value):.1f}" r="3.5" fill="#004b87"/>'
        )
    # The first and last dates, kept inside the picture: the first starts at its point and the
    # last ends at its point (a single date sits in the middle).
    ends = {points[0].date: "start", points[-1].date: "end"} if span_days else {}
    for day in dict.fromkeys([points[0].date, points[-1].date]):
        anchor = ends.get(day, "middle")
        parts.append(
            f'<text x="{x(day):.1f}" y="{HEIGHT - 12}" font-size="11" text-anchor="{anchor}" '
            f'fill="#333">{day:%d.%m.%Y}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
