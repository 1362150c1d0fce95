from django import forms
from django.utils.translation import gettext_lazy as _

from masterplan.models import Programme

from .services import import_max_bytes, too_large_error


class ImportForm(forms.Form):
    programme = forms.ModelChoiceField(Programme.objects.all(), label=_("Programm"))
    file = forms.FileField(
        label=_("Datei"),
        help_text=_(
            "Arbeitsmappe (.xlsx oder .ods) mit den Blättern Maßnahmen, Ziele, Kennzahlen, "
            "Kennzahlwerte – oder eine CSV-Datei (UTF-8, mit ; oder , getrennt) für eine Art."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].initial = Programme.objects.current()
        if Programme.objects.count() == 1:
            self.fields["programme"].widget = forms.HiddenInput()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Refused before a single byte is parsed.
        if upload.size > import_max_bytes():
            raise forms.ValidationError(str(too_large_error(upload.size)))
        return upload
