"""The KPI rows of the measure edit page (see `kpis.pageparts`)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from masterplan.numbers import NumberField
from measures.forms import OrderedItemForm, OrderedItemFormSet
from measures.history import KPI_FIELDS

from .models import KPI, KPIValue


class KPIForm(OrderedItemForm):
    main_fields = ("name", "unit", "target")

    name = KPI._meta.get_field("name").formfield()
    unit = KPI._meta.get_field("unit").formfield()
    target = KPI._meta.get_field("target").formfield()
    target_value = KPI._meta.get_field("target_value").formfield(form_class=NumberField)
    target_date = KPI._meta.get_field("target_date").formfield(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    negative_allowed = KPI._meta.get_field("negative_allowed").formfield()


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
                form.add_error("name", _("Diese Kennzahl ist doppelt aufgeführt."))
            seen[name] = form


KPIFormSet = forms.formset_factory(
    KPIForm, formset=BaseKPIFormSet, extra=0, can_delete=True, max_num=200
)


def kpi_initial(kpi: KPI) -> dict:
    return {"id": kpi.pk, **{name: getattr(kpi, name) for name in KPI_FIELDS}}


class KPIValueForm(forms.Form):
    """One value of a KPI on a date; a value for a date that has one already corrects it."""

    date = KPIValue._meta.get_field("date").formfield(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        help_text=_(
            "Gibt es für diesen Stichtag schon einen Wert, wird er durch den neuen Wert korrigiert."
        ),
    )
    value = KPIValue._meta.get_field("value").formfield(
        form_class=NumberField,
        help_text=_("Komma vor den Nachkommastellen, Punkt für Tausender: 12,5 oder 12.500."),
    )
    note = KPIValue._meta.get_field("note").formfield(required=False)

    def __init__(self, *args, kpi: KPI, **kwargs):
        # Several KPIs have a form on the same page: ids must not clash.
        kwargs.setdefault("auto_id", f"id_kpi{kpi.pk}_%s")
        super().__init__(*args, **kwargs)
        self.kpi = kpi

    def add_service_errors(self, error: ValidationError) -> None:
        """Place the service's validation errors next to the fields they name."""
        for key, messages in error.message_dict.items():
            self.add_error(key if key in self.fields else None, messages)
