"""Entering and deleting KPI values from the measure page.

Thin views: permission check → form → `kpi_value_record` / `kpi_value_delete` (which record the
change in the measure's history) → redirect back to the measure, or, for htmx, the KPI's
block alone. Everything works without JavaScript as well.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from masterplan.numbers import format_decimal
from measures.models import Measure
from measures.permissions import can_edit_measure, can_restore_measure
from measures.selectors import measure_history

from .forms import KPIValueForm
from .models import KPI, KPIValue
from .selectors import kpi_row, kpis_with_values
from .services import kpi_value_delete, kpi_value_record


def _editable_kpi(request, kpi_id: int) -> KPI:
    kpi = get_object_or_404(KPI.objects.select_related("measure"), pk=kpi_id)
    if not can_edit_measure(request.user, kpi.measure):
        raise PermissionDenied(_("Sie dürfen die Kennzahlen dieser Maßnahme nicht ändern."))
    return kpi


def _measure_anchor(kpi: KPI) -> str:
    return reverse("measures:detail", args=[kpi.measure_id]) + f"#kpi-{kpi.pk}"


def _kpi_block(request, kpi: KPI, *, form=None, notice: str = ""):
    """The KPI's block as on the measure page, for htmx to swap in place.

    After a change, the measure's version and history go along out of band, so the page
    does not show a stale history.
    """
    row = kpi_row(kpis_with_values().get(pk=kpi.pk))
    row.update(may_edit=True, form=form or KPIValueForm(kpi=kpi), notice=notice)
    context = {"row": row}
    if notice:
        measure = Measure.objects.get(pk=kpi.measure_id)
        context["measure_oob"] = {
            "measure": measure,
            "history": measure_history(measure=measure),
            "may_restore": can_restore_measure(request.user),
        }
    return render(request, "kpis/_kpi.html", context)


@require_POST
def kpi_value_add(request, pk: int):
    kpi = _editable_kpi(request, pk)
    form = KPIValueForm(request.POST, kpi=kpi)
    if form.is_valid():
        try:
            entry = kpi_value_record(
                kpi=kpi,
                date=form.cleaned_data["date"],
                value=form.cleaned_data["value"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_service_errors(error)
    if form.errors:
        if request.htmx:
            # htmx swaps only successful responses; the block shows the errors by the fields.
            return _kpi_block(request, kpi, form=form)
        context = {"kpi": kpi, "measure": kpi.measure, "form": form}
        return render(request, "kpis/value_form.html", context, status=422)
    facts = {
        "value": format_decimal(entry.value),
        "date": date_format(entry.date, "SHORT_DATE_FORMAT"),
        "previous": format_decimal(entry.previous) if entry.previous is not None else "",
    }
    if entry.previous is None:
        notice = _("Der Wert %(value)s vom %(date)s wurde gespeichert.") % facts
    elif entry.previous == entry.value:
        notice = _("Der Wert %(value)s vom %(date)s war bereits erfasst.") % facts
    else:
        notice = _("Der Wert vom %(date)s wurde korrigiert: %(previous)s → %(value)s.") % facts
    return _answer(request, kpi, notice)


@require_http_methods(["GET", "POST"])
def kpi_value_delete_view(request, pk: int):
    """GET (or a POST without "confirmed") asks; a POST with "confirmed" deletes."""
    entry = get_object_or_404(KPIValue.objects.select_related("kpi__measure"), pk=pk)
    kpi = _editable_kpi(request, entry.kpi_id)
    if request.method == "GET" or not request.POST.get("confirmed"):
        context = {"kpi": kpi, "measure": kpi.measure, "entry": entry}
        context["value"] = format_decimal(entry.value)
        return render(request, "kpis/value_delete.html", context)
    deleted = kpi_value_delete(kpi_value=entry, by=request.user)
    facts = {"date": date_format(entry.date, "SHORT_DATE_FORMAT")}
    if deleted:
        notice = _("Der Wert vom %(date)s wurde gelöscht.") % facts
    else:
        notice = _("Der Wert vom %(date)s war bereits gelöscht.") % facts
    return _answer(request, kpi, notice)


def _answer(request, kpi: KPI, notice: str):
    """The KPI's block with the notice (htmx), or back to the measure page with a message."""
    if request.htmx:
        return _kpi_block(request, kpi, notice=notice)
    messages.success(request, notice)
    return redirect(_measure_anchor(kpi))
