"""The KPI rows of the measure edit page (see `kpis.pageparts`)."""

from django import forms

from measures.forms import OrderedItemForm, OrderedItemFormSet

from .models import KPI
from .services import KPI_FIELDS


class KPIForm(OrderedItemForm):
    main_fields = ("name", "unit", "target")

    name = KPI._meta.get_field("name").formfield()
    unit = KPI._meta.get_field("unit").formfield()
    target = KPI._meta.get_field("target").formfield()
    target_value = KPI._meta.get_field("target_value").formfield(localize=True)
    target_date = KPI._meta.get_field("target_date").formfield(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class BaseKPIFormSet(OrderedItemFormSet):
    def clean(self):
        super().clean()
        seen = {}
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            name = (form.cleaned_data or {}).get("name")
            if not name:
                continue
            if name in seen:
                form.add_error("name", "Diese Kennzahl ist doppelt aufgeführt.")
            seen[name] = form


KPIFormSet = forms.formset_factory(
    KPIForm, formset=BaseKPIFormSet, extra=0, can_delete=True, max_num=200
)


def kpi_initial(kpi: KPI) -> dict:
    return {"id": kpi.pk, **{name: getattr(kpi, name) for name in KPI_FIELDS}}
