from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RatingKind(models.TextChoices):
    COST = "cost", _("Umsetzungs- und Folgekostenschätzung")
    PERSONNEL = "personnel", _("Personelle Ressourcen")
    TIMEFRAME = "timeframe", _("Realisierungszeitraum")
    QUICK_WIN = "quick_win", _("Potential Quickwins")


class Level(models.TextChoices):
    """Cost and personnel ratings. Blank means "not rated"."""

    LOW = "gering", _("gering")
    MEDIUM = "mittel", _("mittel")
    HIGH = "hoch", _("hoch")


class Timeframe(models.TextChoices):
    SHORT = "kurzfristig", _("kurzfristig")
    MEDIUM = "mittelfristig", _("mittelfristig")
    LONG = "langfristig", _("langfristig")


class QuickWin(models.TextChoices):
    YES = "ja", _("ja")
    PARTLY = "teilweise", _("teilweise")
    NO = "nein", _("nein")

    @classmethod
    def wins(cls) -> tuple[str, ...]:
        """The quick-win rule: the levels that count as a quick win (list, filter, star)."""
        return (cls.YES, cls.PARTLY)


# The measure field holding the rating of each kind, and the estimate a rating may follow from.
RATING_FIELD_BY_KIND = {
    RatingKind.COST: "cost_rating",
    RatingKind.PERSONNEL: "personnel_rating",
    RatingKind.TIMEFRAME: "timeframe_rating",
    RatingKind.QUICK_WIN: "quick_win",
}
ESTIMATE_FIELD_BY_KIND = {
    RatingKind.COST: "cost_estimate",
    RatingKind.PERSONNEL: "personnel_estimate",
    RatingKind.TIMEFRAME: "duration_estimate",
}

LEVEL_CHOICES_BY_KIND: dict[str, type[models.TextChoices]] = {
    RatingKind.COST: Level,
    RatingKind.PERSONNEL: Level,
    RatingKind.TIMEFRAME: Timeframe,
    RatingKind.QUICK_WIN: QuickWin,
}


class ProgrammeQuerySet(models.QuerySet):
    def current(self) -> "Programme | None":
        """The programme the pages show, and the one the report form, the export page and the
        import form take. Sachstand runs one programme per installation; should a second one
        exist, this stays the one created first (not the first by name)."""
        return self.order_by("pk").first()

    def public(self):
        """Programmes an admin has opened to the public site, the read API and open data."""
        return self.filter(is_public=True)


class Programme(models.Model):
    name = models.CharField(_("Name"), max_length=200, unique=True)
    organisation = models.CharField(_("Organisation"), max_length=200, blank=True)
    numbering_note = models.TextField(
        _("Hinweis zur Nummerierung"),
        blank=True,
        help_text=_("Erscheint im Bericht unter der Legende."),
    )
    is_public = models.BooleanField(
        _("Öffentlich"),
        default=False,
        help_text=_(
            "Zeigt das Programm ohne Anmeldung auf der Transparenzseite, in der Schnittstelle und "
            "als offene Daten: nur freigegebene Sachstände, nie interne Angaben."
        ),
    )

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("Programm")
        verbose_name_plural = _("Programme")
        ordering = ["name"]

    def __str__(self):
        return self.name


class WorkingGroup(models.Model):
    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="working_groups",
        verbose_name=_("Programm"),
    )
    number = models.PositiveSmallIntegerField(_("Nummer"))
    numeral = models.CharField(_("Römische Ziffer"), max_length=10)
    name = models.CharField(_("Name"), max_length=200)
    editors = models.ManyToManyField(
        "auth.User",
        blank=True,
        related_name="editable_working_groups",
        verbose_name=_("Bearbeiter*innen"),
        help_text=_("Diese Personen dürfen die Maßnahmen der Arbeitsgruppe bearbeiten."),
    )
    leads = models.ManyToManyField(
        "auth.User",
        blank=True,
        related_name="led_working_groups",
        verbose_name=_("Arbeitsgruppenleitung"),
        help_text=_(
            "Diese Personen prüfen die Sachstandsmeldungen der Arbeitsgruppe und geben sie frei."
        ),
    )

    class Meta:
        verbose_name = _("Arbeitsgruppe")
        verbose_name_plural = _("Arbeitsgruppen")
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"], name="working_group_number_unique_in_programme"
            ),
            models.UniqueConstraint(
                fields=["programme", "numeral"], name="working_group_numeral_unique_in_programme"
            ),
        ]

    def __str__(self):
        return self.name


class RatingScale(models.Model):
    """One block of the legend: a rating kind with its label as printed."""

    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="rating_scales",
        verbose_name=_("Programm"),
    )
    kind = models.CharField(_("Art"), max_length=20, choices=RatingKind.choices)
    label = models.CharField(_("Bezeichnung"), max_length=200)
    note = models.CharField(_("Erläuterung"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)

    class Meta:
        verbose_name = _("Bewertungsskala")
        verbose_name_plural = _("Legende: Bewertungsskalen")
        ordering = ["programme", "order"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "kind"], name="rating_scale_unique_kind")
        ]

    def __str__(self):
        return self.label

    def level_for(self, estimate: Decimal) -> str:
        """The level whose threshold an estimate falls under, as the legend defines it."""
        for level in self.levels.all():
            if level.upper_bound is None:
                return level.level
            if estimate < level.upper_bound or (
                level.upper_inclusive and estimate == level.upper_bound
            ):
                return level.level
        raise ValueError(f"The legend for {self.kind} has no open-ended top level.")


class RatingLevel(models.Model):
    """A legend entry such as "gering = kleiner 50.000 €".

    Levels are checked in order: an estimate belongs to the first level whose upper bound
    it stays under (or equals, where the bound is inclusive); the last level is open-ended.
    """

    scale = models.ForeignKey(
        RatingScale, on_delete=models.CASCADE, related_name="levels", verbose_name=_("Skala")
    )
    level = models.CharField(_("Stufe"), max_length=20)
    definition = models.CharField(_("Definition"), max_length=300, blank=True)
    upper_bound = models.DecimalField(
        _("Obergrenze"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    upper_inclusive = models.BooleanField(_("Obergrenze eingeschlossen"), default=False)
    order = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)

    class Meta:
        verbose_name = _("Bewertungsstufe")
        verbose_name_plural = _("Bewertungsstufen")
        ordering = ["scale", "order"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "level"], name="rating_level_unique_in_scale")
        ]

    def __str__(self):
        return f"{self.level} = {self.definition}" if self.definition else self.level


class UserPreference(models.Model):
    """What a user chose for themselves, remembered for texts sent without a request (e-mails)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="preference",
        verbose_name=_("Benutzer"),
    )
    language = models.CharField(_("Sprache"), max_length=10, choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("Benutzereinstellung")
        verbose_name_plural = _("Benutzereinstellungen")

    def __str__(self) -> str:
        return f"{self.user} ({self.language})"


class Job(models.Model):
    """A job a user started (a report build, an import step): the fields `masterplan.jobs`
    reasons about, and the language the worker writes in, as a worker has no request."""

    language = models.CharField(
        _("Sprache"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    queued_at = models.DateTimeField(
        _("In der Warteschlange seit"), default=timezone.now, editable=False
    )
    sent_at = models.DateTimeField(
        _("An den Auftragsdienst gesendet am"), null=True, blank=True, editable=False
    )
    started_at = models.DateTimeField(_("Begonnen am"), null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("Versuche"), default=0, editable=False)

    class Meta:
        abstract = True


class PublicDataVersion(models.Model):
    """One row: a counter bumped (`masterplan.services.public_data_changed`) whenever something
    the public may read changed: an approved status update, a published or withdrawn report,
    a measure of a public programme edited or imported, a programme made public or private.
    The public site's caches and ETags (`public.cache`) are keyed by it; it lives here, at the
    bottom of the apps, so that every write path can bump it without importing `public`."""

    number = models.PositiveBigIntegerField(_("Stand"), default=0)
    changed_at = models.DateTimeField(_("Geändert am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Stand der öffentlichen Daten")
        verbose_name_plural = _("Stand der öffentlichen Daten")

    def __str__(self) -> str:
        return str(self.number)
