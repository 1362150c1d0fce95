"""The KPI rows of the measure edit page (see `kpis.pageparts`)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from measures.forms import OrderedItemForm, OrderedItemFormSet

from .models import KPI, KPIValue
from .services import KPI_FIELDS


class DecimalCommaField(forms.DecimalField):
    """A number as people in Dortmund type it: "1.234,5" and "1234,5" as well as "1234.5".

    Accepted whatever the page language is, so a German decimal comma is never read as a
    thousands separator on the English page.
    """

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(" ", "").replace("\u00a0", "")
            if "," in value:
                value = value.replace(".", "").replace(",", ".")
        return super().to_python(value)


class KPIForm(OrderedItemForm):
    main_fields = ("name", "unit", "target")

    name = KPI._meta.get_field("name").formfield()
    unit = KPI._meta.get_field("unit").formfield()
    target = KPI._meta.get_field("target").formfield()
    target_value = KPI._meta.get_field("target_value").formfield(
        form_class=DecimalCommaField, localize=True
    )
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


class KPIValueForm(forms.Form):
    """One value of a KPI on a date; a value for a date that has one already corrects it."""

    date = KPIValue._meta.get_field("date").formfield(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        help_text=_(
            "Gibt es für diesen Stichtag schon einen Wert, wird er durch den neuen Wert korrigiert."
        ),
    )
    value = DecimalCommaField(
        label=KPIValue._meta.get_field("value").verbose_name,
        localize=True,
        max_digits=16,
        decimal_places=4,
        help_text=_("Mit Komma oder Punkt als Dezimaltrennzeichen, z. B. 12,5."),
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
