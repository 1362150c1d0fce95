"""KPIs on the measure pages: shown on the detail page, edited on the measure's edit page.

Registered with `measures.pageparts` in `KpisConfig.ready`, so the measure views show and save
KPIs without importing this app; the save runs inside `measure_update`, in one transaction and
one history entry with the measure and its goals. The detail block lists each KPI's values
with its trend chart and, for those who may edit the measure, forms to enter and delete
values (handled by `kpis.views`).
"""

from django.utils.translation import gettext_lazy as _

from measures.models import Measure
from measures.pageparts import PagePart
from measures.permissions import can_edit_measure

from .forms import KPIFormSet, KPIValueForm, kpi_initial
from .models import KPI
from .selectors import measure_kpi_rows
from .services import kpis_replace


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
