from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from measures.models import Measure


class KPI(models.Model):
    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="kpis", verbose_name=_("Maßnahme")
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

    class Meta:
        verbose_name = _("Kennzahlwert")
        verbose_name_plural = _("Kennzahlwerte")
        ordering = ["kpi", "date"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "date"], name="kpi_value_one_per_date")
        ]

    def __str__(self):
        return f"{self.kpi.name}: {self.value} ({self.date:%d.%m.%Y})"
