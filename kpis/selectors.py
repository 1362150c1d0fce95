"""What the KPI parts of the measure pages read: each KPI with its values and trend chart."""

from decimal import Decimal

from django.db.models import Prefetch
from django.utils.formats import number_format
from django.utils.safestring import mark_safe

from measures.models import Measure

from .charts import Point, kpi_trend_svg
from .models import KPI, KPIValue


def number_display(value: Decimal | None) -> str:
    """A stored value without its trailing zeros, in the page's number format (12,5; 1.234)."""
    if value is None:
        return ""
    value = Decimal(value)
    plain = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return number_format(plain, force_grouping=True)


def kpi_row(kpi: KPI) -> dict:
    """One KPI for its block on the measure page; `values` with `entered_by` prefetched."""
    values = list(kpi.values.all())
    chart = kpi_trend_svg(
        [Point(date=v.date, value=v.value) for v in values],
        target=kpi.target_value,
        title=kpi.name,
        unit=kpi.unit,
    )
    return {
        "kpi": kpi,
        "target_value": number_display(kpi.target_value),
        "latest": values[-1] if values else None,
        "latest_value": number_display(values[-1].value) if values else "",
        "values": [{"value": v, "display": number_display(v.value)} for v in values],
        "chart": mark_safe(chart),  # noqa: S308 - built from escaped parts in kpis.charts
    }


def kpis_with_values():
    values = KPIValue.objects.select_related("entered_by").order_by("date")
    return KPI.objects.prefetch_related(Prefetch("values", queryset=values))


def measure_kpi_rows(*, measure: Measure) -> list[dict]:
    kpis = kpis_with_values().filter(measure=measure).order_by("order", "id")
    return [kpi_row(kpi) for kpi in kpis]
