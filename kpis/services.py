"""What changes KPIs. KPI changes are part of their measure's history (see `measures.services`)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from measures.models import ChangeRecord, Measure
from measures.services import (
    StatePart,
    assign_fields,
    measure_record_change,
    measure_state,
    plain_value,
)

from .models import KPI, KPIValue

KPI_FIELDS = ("order", "name", "unit", "target", "target_value", "target_date")


def kpi_state(kpi: KPI) -> dict:
    values = [
        {"date": value.date.isoformat(), "value": plain_value(value.value), "note": value.note}
        for value in kpi.values.all()
    ]
    return {
        "id": kpi.pk,
        **{field: plain_value(getattr(kpi, field)) for field in KPI_FIELDS},
        "values": values,
    }


def measure_kpis_state(measure: Measure) -> list[dict]:
    return [
        kpi_state(kpi) for kpi in measure.kpis.order_by("order", "id").prefetch_related("values")
    ]


def kpis_replace(*, measure: Measure, kpis: list[dict]) -> None:
    """Make the measure's KPIs the given list; items with an "id" update that KPI.

    KPIs left out are deleted with their values. Call inside the measure's transaction,
    e.g. as `measure_update(..., extra=lambda m: kpis_replace(measure=m, kpis=...))`.
    """
    existing = {kpi.pk: kpi for kpi in measure.kpis.all()}
    errors = {}
    keep: list[KPI] = []
    names = set()
    for position, item in enumerate(kpis):
        item = dict(item)
        kpi_id = item.pop("id", None)
        kpi = existing.get(kpi_id) if kpi_id else KPI(measure=measure)
        if kpi is None:
            raise ValidationError({"kpis": f"Kennzahl {kpi_id} gehört nicht zu dieser Maßnahme."})
        item.setdefault("order", position + 1)
        assign_fields(kpi, item, KPI_FIELDS)
        if kpi.name in names:
            errors[f"kpis-{position}-name"] = ["Diese Kennzahl ist doppelt aufgeführt."]
            continue
        names.add(kpi.name)
        try:
            kpi.full_clean(exclude=["measure"], validate_unique=False)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors[f"kpis-{position}-{field}"] = messages
            continue
        keep.append(kpi)
    if errors:
        raise ValidationError(errors)
    # Delete first so a renamed KPI may take over a name another one gives up.
    measure.kpis.exclude(pk__in=[kpi.pk for kpi in keep if kpi.pk]).delete()
    for kpi in keep:
        kpi.save()


def _restore_kpis(measure: Measure, items: list[dict]) -> None:
    """Bring back the KPIs (and their values) of an earlier `measure_kpis_state`.

    KPIs deleted since then are created anew, so their old ids are dropped.
    """
    existing_ids = set(measure.kpis.values_list("pk", flat=True))
    kpis_replace(
        measure=measure,
        kpis=[
            {
                key: value
                for key, value in item.items()
                if key != "values" and (key != "id" or value in existing_ids)
            }
            for item in items
        ],
    )
    kpis_by_name = {kpi.name: kpi for kpi in measure.kpis.all()}
    for item in items:
        kpi = kpis_by_name[item["name"]]
        kpi.values.all().delete()
        KPIValue.objects.bulk_create(
            KPIValue(kpi=kpi, date=value["date"], value=value["value"], note=value["note"])
            for value in item.get("values", [])
        )


KPI_STATE_PART = StatePart(name="kpis", serialize=measure_kpis_state, restore=_restore_kpis)


def kpi_value_record(*, kpi: KPI, date, value, note: str = "", by=None) -> KPIValue:
    """Enter (or correct) the KPI's value on a date; recorded in the measure's history."""
    measure = kpi.measure
    before = measure_state(measure)
    kpi_value = KPIValue.objects.filter(kpi=kpi, date=date).first() or KPIValue(kpi=kpi, date=date)
    kpi_value.value, kpi_value.note = value, note
    if by is not None and getattr(by, "is_authenticated", False):
        kpi_value.entered_by = by
    kpi_value.full_clean(exclude=["kpi"], validate_unique=False)
    with transaction.atomic():
        kpi_value.save()
        measure_record_change(measure=measure, before=before, by=by, source=ChangeRecord.Source.WEB)
    return kpi_value


def kpi_value_delete(*, kpi_value: KPIValue, by=None) -> None:
    measure = kpi_value.kpi.measure
    before = measure_state(measure)
    with transaction.atomic():
        kpi_value.delete()
        measure_record_change(measure=measure, before=before, by=by, source=ChangeRecord.Source.WEB)
