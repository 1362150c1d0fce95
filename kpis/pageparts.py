"""KPIs on the measure pages: shown on the detail page, edited on the measure's edit page.

Registered with `measures.pageparts` in `KpisConfig.ready`, so the measure views show and save
KPIs without importing this app; the save runs inside `measure_update`, in one transaction
and one history entry with the measure and its goals.
"""

from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from measures.models import Measure
from measures.pageparts import PagePart

from .charts import Point, kpi_trend_svg
from .forms import KPIFormSet, kpi_initial
from .models import KPI
from .services import kpis_replace


def _detail_context(measure: Measure) -> dict:
    kpis = list(measure.kpis.order_by("order", "id").prefetch_related("values"))
    rows = []
    for kpi in kpis:
        values = list(kpi.values.all())
        chart = kpi_trend_svg(
            [Point(date=v.date, value=v.value) for v in values],
            target=kpi.target_value,
            title=kpi.name,
            unit=kpi.unit,
        )
        rows.append(
            {
                "kpi": kpi,
                "latest": values[-1] if values else None,
                "values": values,
                "chart": mark_safe(chart),  # noqa: S308 - built from escaped parts in kpis.charts
            }
        )
    return {"kpis": rows}


def _formset(*, measure: Measure, data=None):
    if data is not None:
        return KPIFormSet(data, prefix="kpis")
    initial = [kpi_initial(kpi) for kpi in measure.kpis.order_by("order", "id")]
    return KPIFormSet(initial=initial, prefix="kpis")


def _save(measure: Measure, items: list[dict]) -> None:
    kpis_replace(measure=measure, kpis=items)


KPI_PAGE_PART = PagePart(
    name="kpis",
    detail_template="kpis/_measure_kpis.html",
    detail_context=_detail_context,
    edit_template="kpis/_measure_kpis_edit.html",
    formset=_formset,
    save=_save,
    field_labels={
        **{f.name: f.verbose_name for f in KPI._meta.fields},
        "values": _("Werte"),
    },
    item_label=_("Kennzahl"),
)
