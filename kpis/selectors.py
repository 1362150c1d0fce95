"""What the KPI parts of the measure pages read: each KPI with its values and trend chart."""

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.safestring import mark_safe

from masterplan.numbers import format_decimal
from measures.models import Measure

from .charts import Point, kpi_trend_svg
from .models import KPI, KPIValue


def kpi_row(kpi: KPI) -> dict:
    """One KPI for its block on the measure page (prefetched by `kpis_with_values`).

    The table lists every value (so a mistyped one can be corrected); the chart and "Letzter
    Wert" show the values known today (`KPIValueQuerySet.as_of`), as a report of today would.
    """
    values = list(kpi.values.all())
    known = kpi.values_known
    chart = kpi_trend_svg(
        [Point(date=v.date, value=v.value) for v in known],
        target=kpi.target_value,
        title=kpi.name,
        unit=kpi.unit,
    )
    latest = known[-1] if known else None
    return {
        "kpi": kpi,
        "target_value": format_decimal(kpi.target_value),
        "latest": latest,
        "latest_value": format_decimal(latest.value) if latest else "",
        "values": [{"value": v, "display": format_decimal(v.value)} for v in values],
        "chart": mark_safe(chart.svg),  # noqa: S308 - built from escaped parts in kpis.charts
        "chart_description": chart.description,
    }


def kpis_with_values(*, today=None):
    """KPIs with all their values (`values`) and those known `today` (`values_known`)."""
    today = today or timezone.localdate()
    values = KPIValue.objects.select_related("entered_by").order_by("date")
    return KPI.objects.prefetch_related(
        Prefetch("values", queryset=values),
        Prefetch("values", queryset=KPIValue.objects.as_of(today), to_attr="values_known"),
    )


def measure_kpi_rows(*, measure: Measure) -> list[dict]:
    kpis = kpis_with_values().filter(measure=measure).order_by("order", "id")
    return [kpi_row(kpi) for kpi in kpis]
