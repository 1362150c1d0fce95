"""KPI trend charts as plain SVG, drawn on the server so that they print in the PDF.

A pure function of the values: the same values give the same SVG, in the browser and in the PDF.
Numbers are written by `masterplan.numbers.format_decimal` in the active language.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import escape

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from masterplan.numbers import format_decimal

WIDTH, HEIGHT = 480, 180
MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 16, 14, 34
FONT_SIZE = 11
# Widest glyph of the labels (digits, separators, minus) in the fonts used, in em; a little
# generous so a label never runs out of the picture.
LABEL_EM = 0.64
LABEL_GAP = 6
TICKS_WANTED = 4
NICE_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))


@dataclass(frozen=True)
class Point:
    date: date
    value: Decimal


@dataclass(frozen=True)
class TrendChart:
    """A KPI's chart and its text description (the values in words, for alt text and readers).

    `svg` is "" with fewer than two values: a lone dot in an empty frame says nothing that the
    text does not say better.
    """

    svg: str
    description: str

    def __bool__(self) -> bool:
        return bool(self.svg)


def _nice_step(span: Decimal) -> Decimal:
    """A round step (1, 2, 2,5 or 5 times a power of ten) giving about `TICKS_WANTED` steps."""
    raw = span / TICKS_WANTED
    power = Decimal(1).scaleb(math.floor(math.log10(raw)))
    return next(step * power for step in NICE_STEPS if step * power >= raw)


def axis_ticks(values: Sequence[Decimal]) -> list[Decimal]:
    """Round ticks from below the smallest to above the largest value: 0, 100.000, 200.000 …

    The axis starts at 0 when the values lie nearer to 0 than they spread, so a small change
    is not drawn as a steep rise; a single level (all values equal) gets the band from 0 to it.
    """
    low, high = min(values), max(values)
    if low == high:
        low, high = (min(low, 0), max(high, 0)) if low else (Decimal(0), Decimal(1))
    if low > 0 and low < high - low:
        low = Decimal(0)
    if high < 0 and -high < high - low:
        high = Decimal(0)
    step = _nice_step(high - low)
    first = (low / step).to_integral_value(rounding="ROUND_FLOOR")
    last = (high / step).to_integral_value(rounding="ROUND_CEILING")
    return [(step * index).normalize() for index in range(int(first), int(last) + 1)]


def _label_width(text: str) -> float:
    return len(text) * FONT_SIZE * LABEL_EM


def kpi_trend_svg(
    points: Sequence[Point], *, target: Decimal | None = None, title: str = "", unit: str = ""
) -> TrendChart:
    """An accessible SVG line chart of a KPI's values over time, with the target as a dashed
    line, and the same values as text.

    Without values both are ""; with one value only the text (see `TrendChart`).
    """
    if not points:
        return TrendChart(svg="", description="")
    points = sorted(points, key=lambda point: point.date)
    suffix = f" {unit}" if unit else ""
    description = "; ".join(
        f"{date_format(point.date, 'SHORT_DATE_FORMAT')}: {format_decimal(point.value)}{suffix}"
        for point in points
    )
    if target is not None:
        description += "; " + _("Zielwert %(value)s") % {
            "value": f"{format_decimal(target)}{suffix}"
        }
    if len(points) < 2:
        return TrendChart(svg="", description=description)

    values = [Decimal(point.value) for point in points]
    ticks = axis_ticks([*values, target] if target is not None else values)
    low, high = ticks[0], ticks[-1]
    labels = [format_decimal(tick) for tick in ticks]
    margin_left = math.ceil(max(_label_width(label) for label in labels)) + 2 * LABEL_GAP
    first, last = points[0].date.toordinal(), points[-1].date.toordinal()
    span = max(last - first, 1)
    plot_w = WIDTH - margin_left - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

    def x(day: date) -> float:
        return margin_left + plot_w * (day.toordinal() - first) / span

    def y(value: Decimal) -> float:
        return MARGIN_TOP + plot_h * float((high - value) / (high - low))

    label = escape(title or _("Kennzahl"), quote=True)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kpi-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{label}">',
        f"<title>{label}</title><desc>{escape(description)}</desc>",
        f'<rect x="{margin_left}" y="{MARGIN_TOP}" width="{plot_w}" height="{plot_h}" '
        'fill="#ffffff" stroke="#8a8a8a" stroke-width="0.75"/>',
    ]
    for tick, text in zip(ticks, labels, strict=True):
        if low < tick < high:
            parts.append(
                f'<line class="kpi-grid" x1="{margin_left}" x2="{WIDTH - MARGIN_RIGHT}" '
                f'y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#e2e2e2" stroke-width="0.75"/>'
            )
        parts.append(
            f'<text class="kpi-tick" x="{margin_left - LABEL_GAP}" y="{y(tick) + 4:.1f}" '
            f'font-size="{FONT_SIZE}" text-anchor="end" fill="#333">{escape(text)}</text>'
        )
    if target is not None:
        parts.append(
            f'<line class="kpi-target" x1="{margin_left}" x2="{WIDTH - MARGIN_RIGHT}" '
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
    # last ends at its point (two values on one date cannot happen: one value per date).
    for day, anchor in ((points[0].date, "start"), (points[-1].date, "end")):
        shown = date_format(day, "SHORT_DATE_FORMAT")
        parts.append(
            f'<text x="{x(day):.1f}" y="{HEIGHT - 12}" font-size="{FONT_SIZE}" '
            f'text-anchor="{anchor}" fill="#333">{shown}</text>'
        )
    parts.append("</svg>")
    return TrendChart(svg="".join(parts), description=description)
