from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from masterplan.models import Programme

from .models import PdfVariant, StatusReport


class ReportRequestForm(forms.Form):
    """What the committee chooses when it asks for a report."""

    WHOLE, GROUPS = "all", "groups"

    title = forms.CharField(
        label=_("Titel"),
        max_length=200,
        initial=StatusReport._meta.get_field("title").default,
    )
    ds_number = forms.CharField(
        label=_("DS-Nr."),
        max_length=50,
        required=False,
        help_text=_("Drucksachennummer, zum Beispiel „15160-19“. Leer lassen für einen Entwurf."),
    )
    report_date = forms.DateField(
        label=_("Berichtsdatum"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    scope = forms.ChoiceField(
        label=_("Umfang"),
        choices=[(WHOLE, _("Das ganze Programm")), (GROUPS, _("Ausgewählte Arbeitsgruppen"))],
        initial=WHOLE,
        widget=forms.RadioSelect,
    )
    working_groups = forms.TypedMultipleChoiceField(
        label=_("Arbeitsgruppen"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    archival = forms.BooleanField(
        label=_("Archivfassung (PDF/A-3b)"),
        required=False,
        help_text=_("Für die Langzeitarchivierung, zum Beispiel im DMS."),
    )

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.fields["working_groups"].choices = [
            (group.number, f"{group.numeral} – {group.name}")
            for group in programme.working_groups.order_by("number")
        ]
        self.fields["report_date"].initial = timezone.localdate()
        previous = StatusReport.objects.latest_done(programme)
        if previous:
            self.fields["ds_number"].initial = previous.ds_number

    def clean(self):
        data = super().clean()
        if data.get("scope") == self.GROUPS and not data.get("working_groups"):
            self.add_error("working_groups", _("Bitte mindestens eine Arbeitsgruppe auswählen."))
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "programme": self.programme,
            "title": data["title"],
            "ds_number": data["ds_number"],
            "report_date": data["report_date"],
            "working_group_numbers": data["working_groups"] if data["scope"] == self.GROUPS else [],
            "pdf_variant": PdfVariant.PDF_A if data["archival"] else PdfVariant.STANDARD,
        }
