from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from masterplan.models import Job, Programme


class ReportState(models.TextChoices):
    QUEUED = "queued", _("in der Warteschlange")
    BUILDING = "building", _("wird erstellt")
    DONE = "done", _("fertig")
    FAILED = "failed", _("fehlgeschlagen")


class PdfVariant(models.TextChoices):
    STANDARD = "", _("Standard (barrierearm, getaggt)")
    PDF_A = "pdf/a-3b", _("Archiv (PDF/A-3b)")


class StatusReportQuerySet(models.QuerySet):
    def latest_done(self, programme: Programme) -> "StatusReport | None":
        """The last report of a programme, wherever Sachstand speaks of it: the done report
        (with its frozen snapshot) that finished last. A new report compares with it, the
        overview shows what changed since it, reminders count from its report date, and the
        report form and `build_report` offer its DS number. Latest by when it finished, not by
        its report date: its snapshot is then the newest frozen data, even if a report was
        dated back. Queued, building and failed reports never count."""
        return (
            self.filter(programme=programme, state=ReportState.DONE)
            .exclude(snapshot=None)
            .order_by("-finished_at", "-id")
            .first()
        )

    def published(self):
        """Reports the public may read: published by an admin and not withdrawn since."""
        return self.filter(
            state=ReportState.DONE, published_at__isnull=False, withdrawn_at__isnull=True
        )

    def ever_published(self):
        """Published reports including withdrawn ones: a council system that harvested a
        report must learn that it was withdrawn (OParl's `deleted: true`)."""
        return self.filter(state=ReportState.DONE, published_at__isnull=False)


class StatusReport(Job):
    """A Sachstandsbericht: the frozen data (snapshot) and the PDF built from it. Its job's
    `language` is the requesting person's: the worker freezes and writes the report in it."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="reports", verbose_name=_("Programm")
    )
    title = models.CharField(_("Titel"), max_length=200, default="Anhang zum Sachstandsbericht")
    ds_number = models.CharField(
        _("DS-Nr."),
        max_length=50,
        blank=True,
        help_text=_(
            "Drucksachennummer, zum Beispiel „15160-19“. Ohne sie ist der Bericht ein Entwurf."
        ),
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
    round = models.ForeignKey(
        "rounds.ReportingRound",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("Berichtsrunde"),
        help_text=_("Leer für Berichte, die ohne Berichtsrunde erstellt wurden."),
    )
    include_internal = models.BooleanField(
        _("Mit internen Angaben"),
        default=True,
        help_text=_(
            "Mit dem Entscheidungsbedarf (Fassung für den Lenkungskreis); ohne ihn z. B. für "
            "eine öffentliche Fassung."
        ),
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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Erstellt von"),
    )
    created_at = models.DateTimeField(_("Angefordert am"), auto_now_add=True)
    finished_at = models.DateTimeField(_("Fertig am"), null=True, blank=True, editable=False)
    timings = models.JSONField(
        _("Laufzeiten (s)"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("Dauer der Schritte der letzten Erstellung in Sekunden."),
    )

    published_at = models.DateTimeField(
        _("Veröffentlicht am"), null=True, blank=True, editable=False
    )
    withdrawn_at = models.DateTimeField(
        _("Zurückgezogen am"), null=True, blank=True, editable=False
    )

    objects = StatusReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("Sachstandsbericht")
        verbose_name_plural = _("Sachstandsberichte")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        if self.is_draft:
            return _("%(title)s – Entwurf") % {"title": self.title}
        return _("%(title)s – DS-Nr. %(number)s") % {"title": self.title, "number": self.ds_number}

    @property
    def is_public(self) -> bool:
        return (
            self.state == ReportState.DONE
            and self.published_at is not None
            and self.withdrawn_at is None
        )

    @property
    def can_be_published(self) -> bool:
        """Only a finished report with a DS number, built without the internal fields, may go
        public: a committee version would show what the committee must decide."""
        return self.state == ReportState.DONE and not self.is_draft and not self.include_internal

    @property
    def is_draft(self) -> bool:
        """A report without a DS number (Drucksachennummer) is a draft."""
        return not self.ds_number

    def selected_numerals(self) -> list[str]:
        """The chosen working groups as printed ("I", "III"); empty for the whole programme."""
        numerals = {group.number: group.numeral for group in self.programme.working_groups.all()}
        return [numerals.get(number, str(number)) for number in self.working_group_numbers]

    def selected_groups_label(self) -> str:
        """ "Arbeitsgruppe III" or "Arbeitsgruppen I, II"; empty for the whole programme."""
        numerals = self.selected_numerals()
        if not numerals:
            return ""
        return ngettext(
            "Arbeitsgruppe %(numerals)s", "Arbeitsgruppen %(numerals)s", len(numerals)
        ) % {"numerals": ", ".join(numerals)}

    @property
    def download_name(self) -> str:
        if self.is_draft:
            return f"Sachstandsbericht_Entwurf_{self.report_date.isoformat()}.pdf"
        safe_number = "".join(c if c.isalnum() or c in "-_" else "_" for c in self.ds_number)
        return f"Sachstandsbericht_{safe_number}.pdf"
