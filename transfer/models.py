from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from masterplan.models import Job


class ImportRun(Job):
    """The log of one spreadsheet import: who, when, which file, what it changed. Its job is the
    current step (checking or applying); its `language` the reader's (the uploader's, then the
    confirming person's), in which the worker writes the preview and the messages."""

    class State(models.TextChoices):
        VALIDATING = "validating", _("wird geprüft")
        PREVIEW = "preview", _("Vorschau")
        REJECTED = "rejected", _("abgelehnt")
        APPLYING = "applying", _("wird übernommen")
        APPLIED = "applied", _("übernommen")
        FAILED = "failed", _("fehlgeschlagen")
        CANCELLED = "cancelled", _("verworfen")

    programme = models.ForeignKey(
        "masterplan.Programme",
        on_delete=models.CASCADE,
        related_name="import_runs",
        verbose_name=_("Programm"),
    )
    file_name = models.CharField(_("Dateiname"), max_length=255)
    file = models.FileField(_("Datei"), upload_to="imports/", blank=True)
    state = models.CharField(
        _("Status"), max_length=20, choices=State.choices, default=State.VALIDATING
    )
    errors = models.JSONField(_("Fehler"), default=list, blank=True)
    plan = models.JSONField(_("Plan"), null=True, blank=True)
    counts = models.JSONField(_("Anzahlen"), default=dict, blank=True)
    progress = models.PositiveSmallIntegerField(_("Fortschritt (%)"), default=0)
    dry_run = models.BooleanField(_("Probelauf"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Importiert von"),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Bestätigt von"),
    )
    created_at = models.DateTimeField(_("Hochgeladen am"), auto_now_add=True)
    finished_at = models.DateTimeField(_("Abgeschlossen am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Import")
        verbose_name_plural = _("Importe")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        when = date_format(timezone.localtime(self.created_at), "SHORT_DATETIME_FORMAT")
        return f"{self.file_name} ({when})"

    @property
    def error_count(self) -> int:
        """All errors found, also those the stored list only counts ("… und 95 weitere")."""
        from .errors import errors_total

        return errors_total(self.errors or [])
