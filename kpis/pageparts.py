"""The KPI section of the measure pages: shown on the detail page, edited on the edit page.

`measures.views` shows it directly (`PAGE_PARTS`); the rows are saved by
`measures.services.measure_update(kpis=...)`, in one transaction and one history entry with
the measure and its goals. The detail block lists each KPI's values with its trend chart and,
for those who may edit the measure, forms to enter and delete values (`kpis.views`).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.forms import BaseFormSet
from django.utils.translation import gettext_lazy as _

from measures.models import Measure
from measures.permissions import can_edit_measure

from .forms import KPIFormSet, KPIValueForm, kpi_initial
from .selectors import measure_kpi_rows


@dataclass(frozen=True)
class PagePart:
    name: str  # formset prefix, and the key of the list in the measure's history state
    detail_template: str
    detail_context: Callable[..., dict]  # detail_context(measure, *, user) -> template context
    edit_template: str
    formset: Callable[..., BaseFormSet]  # formset(measure=..., data=None) -> bound or unbound
    item_label: str = ""


def _detail_context(measure: Measure, *, user) -> dict:
    may_edit = can_edit_measure(user, measure)
    rows = measure_kpi_rows(measure=measure)
    for row in rows:
        row["may_edit"] = may_edit
        row["form"] = KPIValueForm(kpi=row["kpi"]) if may_edit else None
    return {"kpis": rows, "may_edit": may_edit}


def _formset(*, measure: Measure, data=None):
    if data is not None:
        return KPIFormSet(data, prefix="kpis")
    initial = [kpi_initial(kpi) for kpi in measure.kpis.order_by("order", "id")]
    return KPIFormSet(initial=initial, prefix="kpis")


KPI_PAGE_PART = PagePart(
    name="kpis",
    detail_template="kpis/_measure_kpis.html",
    detail_context=_detail_context,
    edit_template="kpis/_measure_kpis_edit.html",
    formset=_formset,
    item_label=_("Kennzahl"),
)
