from django import forms
from django.utils.translation import gettext_lazy as _

from masterplan.numbers import NumberField
from measures.models import GoalStatus
from measures.text import PROGRESS_NOTE_MAX_LENGTH

from .models import ReportingRound, StatusUpdate, TrafficLight


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class RoundForm(forms.ModelForm):
    class Meta:
        model = ReportingRound
        fields = ("name", "reporting_date", "update_deadline", "review_deadline")
        widgets = {
            "reporting_date": DateInput(),
            "update_deadline": DateInput(),
            "review_deadline": DateInput(),
        }


class StatusUpdateForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    traffic_light = forms.ChoiceField(
        label=_("Ampel"),
        choices=[("", _("noch keine Angabe"))] + list(TrafficLight.choices),
        required=False,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = StatusUpdate
        fields = (
            "traffic_light",
            "traffic_light_reason",
            "traffic_light_reason_internal",
            "achieved",
            "next_steps",
            "decision_needed",
            "progress_percent",
        )
        widgets = {
            "traffic_light_reason": forms.Textarea(attrs={"rows": 3}),
            "achieved": forms.Textarea(attrs={"rows": 6}),
            "next_steps": forms.Textarea(attrs={"rows": 4}),
            "decision_needed": forms.Textarea(attrs={"rows": 3}),
            "progress_percent": forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version

    def service_data(self) -> dict:
        return {field: self.cleaned_data[field] for field in self.Meta.fields}


class TransitionForm(forms.Form):
    comment = forms.CharField(
        label=_("Kommentar"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Beim Zurückgeben Pflicht: was fehlt oder zu ändern ist."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class CloseForm(forms.Form):
    include_unapproved = forms.TypedChoiceField(
        label=_("Nicht freigegebene Meldungen"),
        choices=[
            ("0", _("Die letzte freigegebene Meldung der Maßnahme verwenden")),
            ("1", _("Wie eingereicht übernehmen, im Bericht als „nicht freigegeben“ markiert")),
        ],
        coerce=lambda value: value == "1",
        initial="0",
        widget=forms.RadioSelect,
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Begründung"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class GoalProgressForm(forms.Form):
    """One goal's status and progress note on the status update page (prefix "goal-<pk>")."""

    status = forms.ChoiceField(label=_("Status"), choices=GoalStatus.choices)
    progress_note = forms.CharField(
        label=_("Sachstand"),
        required=False,
        max_length=PROGRESS_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class KPIValueForm(forms.Form):
    """A KPI's value as of the round's Stichtag (prefix "kpi-<pk>"); empty = no entry."""

    value = NumberField(label=_("Wert zum Stichtag"), required=False)
    note = forms.CharField(label=_("Bemerkung"), required=False, max_length=500)
