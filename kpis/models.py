from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from masterplan.numbers import format_decimal


class KPI(models.Model):
    measure = models.ForeignKey(
        "measures.Measure",
        on_delete=models.CASCADE,
        related_name="kpis",
        verbose_name=_("Maßnahme"),
    )
    order = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    name = models.CharField(_("Kennzahl"), max_length=400)
    unit = models.CharField(_("Einheit"), max_length=50, blank=True)
    target = models.CharField(
        _("Zielwert wie formuliert"),
        max_length=200,
        blank=True,
        help_text=_("Zum Beispiel „75 Standorte pro Jahr“."),
    )
    target_value = models.DecimalField(
        _("Zielwert"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    target_date = models.DateField(_("Zieldatum"), null=True, blank=True)
    negative_allowed = models.BooleanField(
        _("Negative Werte zulässig"),
        default=False,
        help_text=_("Etwa bei einer Veränderung gegenüber dem Vorjahr. Sonst ist ein Wert ≥ 0."),
    )
    updated_at = models.DateTimeField(_("Geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Kennzahl")
        verbose_name_plural = _("Kennzahlen")
        ordering = ["measure", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "name"], name="kpi_name_unique_in_measure")
        ]

    def __str__(self):
        return self.name


class KPIValueQuerySet(models.QuerySet):
    def as_of(self, day: date) -> "KPIValueQuerySet":
        """The values known on `day`: dated on or before it, oldest first.

        The one meaning of "a KPI's latest value": the last of these. The measure page's
        "Letzter Wert" takes today, a report its report date, so the page and the PDF agree.
        """
        return self.filter(date__lte=day).order_by("date")


class KPIValue(models.Model):
    kpi = models.ForeignKey(
        KPI, on_delete=models.CASCADE, related_name="values", verbose_name=_("Kennzahl")
    )
    date = models.DateField(_("Stichtag"))
    value = models.DecimalField(_("Wert"), max_digits=16, decimal_places=4)
    note = models.CharField(_("Bemerkung"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Erfasst von"),
    )
    entered_at = models.DateTimeField(_("Erfasst am"), auto_now_add=True)

    objects = KPIValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("Kennzahlwert")
        verbose_name_plural = _("Kennzahlwerte")
        ordering = ["kpi", "date"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "date"], name="kpi_value_one_per_date")
        ]

    def __str__(self):
        day = date_format(self.date, "SHORT_DATE_FORMAT")
        return f"{self.kpi.name}: {format_decimal(self.value)} ({day})"

    def clean(self):
        """What a value may be, for every way in (web, admin, import): measured, so not dated
        in the future, and not negative unless its KPI allows negative values."""
        errors = {}
        if isinstance(self.date, date) and self.date > timezone.localdate():
            errors["date"] = _(
                "Der Stichtag %(date)s liegt in der Zukunft. Erfassen Sie einen Wert, "
                "wenn er gemessen ist."
            ) % {"date": date_format(self.date, "SHORT_DATE_FORMAT")}
        kpi = getattr(self, "kpi", None)  # none yet: the form says the KPI is missing
        negative = isinstance(self.value, Decimal | int | float) and self.value < 0
        if negative and kpi is not None and not kpi.negative_allowed:
            errors["value"] = _(
                "Die Kennzahl „%(name)s“ hat keine negativen Werte. Ist das ein Tippfehler? "
                "Sonst lassen Sie negative Werte bei der Kennzahl zu."
            ) % {"name": kpi.name}
        if errors:
            raise ValidationError(errors)
