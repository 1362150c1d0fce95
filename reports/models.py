from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from masterplan.models import Programme


class ReportState(models.TextChoices):
    QUEUED = "queued", _("in der Warteschlange")
    BUILDING = "building", _("wird erstellt")
    DONE = "done", _("fertig")
    FAILED = "failed", _("fehlgeschlagen")


class PdfVariant(models.TextChoices):
    STANDARD = "", _("Standard (barrierearm, getaggt)")
    PDF_A = "pdf/a-3b", _("Archiv (PDF/A-3b)")


class StatusReport(models.Model):
    """A Sachstandsbericht: the frozen data (snapshot) and the PDF built from it."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="reports", verbose_name=_("Programm")
    )
    title = models.CharField(_("Titel"), max_length=200, default="Anhang zum Sachstandsbericht")
    ds_number = models.CharField(
        _("DS-Nr."), max_length=50, help_text=_("Drucksachennummer, zum Beispiel „15160-19“.")
    )
    report_date = models.DateField(_("Berichtsdatum"))
    working_group_numbers = models.JSONField(
        _("Arbeitsgruppen"),
        default=list,
        blank=True,
        help_text=_("Leer: das ganze Programm."),
    )
    pdf_variant = models.CharField(
        _("PDF-Variante"), max_length=20, choices=PdfVariant.choices, blank=True, default=""
    )
    state = models.CharField(
        _("Status"), max_length=20, choices=ReportState.choices, default=ReportState.QUEUED
    )
    error = models.TextField(_("Fehler"), blank=True)
    snapshot = models.JSONField(_("Datenstand"), null=True, blank=True, editable=False)
    file = models.FileField(_("Datei"), upload_to="reports/", blank=True, editable=False)
    page_count = models.PositiveIntegerField(_("Seiten"), null=True, blank=True, editable=False)
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Vorheriger Bericht"),
    )
    attempts = models.PositiveSmallIntegerField(_("Versuche"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Erstellt von"),
    )
    created_at = models.DateTimeField(_("Angefordert am"), auto_now_add=True)
    queued_at = models.DateTimeField(
        _("In der Warteschlange seit"), default=timezone.now, editable=False
    )
    sent_at = models.DateTimeField(
        _("An den Auftragsdienst gesendet am"), null=True, blank=True, editable=False
    )
    started_at = models.DateTimeField(_("Begonnen am"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("Fertig am"), null=True, blank=True, editable=False)
    timings = models.JSONField(
        _("Laufzeiten (s)"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("Dauer der Schritte der letzten Erstellung in Sekunden."),
    )

    class Meta:
        verbose_name = _("Sachstandsbericht")
        verbose_name_plural = _("Sachstandsberichte")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.title} – DS-Nr. {self.ds_number}"

    def selected_numerals(self) -> list[str]:
        """The chosen working groups as printed ("I", "III"); empty for the whole programme."""
        numerals = {group.number: group.numeral for group in self.programme.working_groups.all()}
        return [numerals.get(number, str(number)) for number in self.working_group_numbers]

    @property
    def download_name(self) -> str:
        safe_number = "".join(c if c.isalnum() or c in "-_" else "_" for c in self.ds_number)
        return f"Sachstandsbericht_{safe_number}.pdf"
