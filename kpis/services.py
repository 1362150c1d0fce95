"""Entering and deleting KPI values. KPIs are part of their measure's aggregate: their
definitions are saved with the measure (`measures.services.measure_update(kpis=...)`), and
every value entered here is recorded in the measure's history (`measures.history`)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from measures.history import measure_lock, measure_record_change, measure_state
from measures.models import ChangeRecord

from .models import KPI, KPIValue


def kpi_value_record(*, kpi: KPI, date, value, note: str = "", by=None) -> KPIValue:
    """Enter (or correct) the KPI's value on a date; recorded in the measure's history.

    One value per KPI and date (a database constraint): a value for a date that has one
    corrects it. The returned value's `previous` is the value it corrected (None when the date
    was new); entering the same value and note again changes nothing and keeps its author.
    """
    author = by if getattr(by, "is_authenticated", False) else None
    entry = KPIValue(kpi=kpi, date=date, value=value, note=note, entered_by=author)
    entry.full_clean(exclude=["kpi"], validate_unique=False)
    with transaction.atomic():
        measure = measure_lock(measure_id=kpi.measure_id)
        if not KPI.objects.filter(pk=kpi.pk, measure=measure).exists():
            raise ValidationError(_("Diese Kennzahl gibt es nicht mehr."))
        before = measure_state(measure)
        current = KPIValue.objects.filter(kpi=kpi, date=entry.date).first()
        if current is not None and (current.value, current.note) == (entry.value, entry.note):
            current.previous = current.value
            return current
        # An upsert, so even a writer that bypasses the lock cannot make a second value for
        # the date (which the constraint would refuse with an error).
        KPIValue.objects.bulk_create(
            [entry],
            update_conflicts=True,
            unique_fields=["kpi", "date"],
            update_fields=["value", "note", "entered_by"],
        )
        measure_record_change(measure=measure, before=before, by=by, source=ChangeRecord.Source.WEB)
    saved = KPIValue.objects.select_related("entered_by").get(kpi=kpi, date=entry.date)
    saved.previous = current.value if current is not None else None
    return saved


def kpi_value_delete(*, kpi_value: KPIValue, by=None) -> bool:
    """Delete a value; recorded in the measure's history. False if it was already gone."""
    with transaction.atomic():
        measure = measure_lock(measure_id=kpi_value.kpi.measure_id)
        before = measure_state(measure)
        deleted, _by_model = KPIValue.objects.filter(pk=kpi_value.pk).delete()
        if not deleted:
            return False
        measure_record_change(measure=measure, before=before, by=by, source=ChangeRecord.Source.WEB)
    return True
