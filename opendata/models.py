from django.db import models
from django.utils.translation import gettext_lazy as _

from reports.models import StatusReport


class ReportFileFacts(models.Model):
    """What OParl says about a published report's PDF (size, SHA-512, plain text), read from
    the file once: a done report's PDF never changes, and extracting the text of a long report
    takes seconds. Kept for the file it was read from (`file_name`); a report whose file
    changed is read again."""

    report = models.OneToOneField(
        StatusReport,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("Sachstandsbericht"),
    )
    file_name = models.CharField(_("Datei"), max_length=255)
    size = models.PositiveBigIntegerField(_("Größe (Bytes)"))
    sha512 = models.CharField(_("SHA-512"), max_length=128)
    text = models.TextField(_("Text"), blank=True)
    read_at = models.DateTimeField(_("Gelesen am"), auto_now=True)

    class Meta:
        verbose_name = _("Angaben zur Berichtsdatei")
        verbose_name_plural = _("Angaben zu Berichtsdateien")

    def __str__(self):
        return self.file_name
