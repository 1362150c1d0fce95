"""What changes KPIs. KPI changes are part of their measure's history (see `measures.services`)."""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from measures.models import ChangeRecord, Measure
from measures.services import (
    StatePart,
    assign_fields,
    in_chunks,
    measure_record_change,
    measure_state,
    plain_value,
)
from measures.text import normalize_text, normalize_texts

from .models import KPI, KPIValue

KPI_FIELDS = (
    "order",
    "name",
    "unit",
    "target",
    "target_value",
    "target_date",
    "negative_allowed",
)


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


def measure_kpis_states(measure_ids: list[int]) -> dict[int, list[dict]]:
    """`measure_kpis_state` of many measures at once: {measure id: KPI states}."""
    states: dict[int, list[dict]] = defaultdict(list)
    for chunk in in_chunks(list(measure_ids)):
        kpis = KPI.objects.filter(measure_id__in=chunk).prefetch_related("values")
        for kpi in kpis.order_by("measure_id", "order", "id"):
            states[kpi.measure_id].append(kpi_state(kpi))
    return dict(states)


KPI_STATE_PART = StatePart(
    name="kpis",
    serialize=measure_kpis_state,
    restore=_restore_kpis,
    serialize_many=measure_kpis_states,
)


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


# --- The bulk path, for spreadsheet imports (see measures.services.measures_apply_bulk) -----


def kpis_replace_bulk(*, kpis_by_measure: dict[int, list[dict]]) -> None:
    """`kpis_replace` for many measures at once; the caller has validated every value.

    Items with an "id" update that KPI; KPIs of these measures left out are deleted with
    their values. Measures not in the dict keep their KPIs.
    """
    existing: dict[int, KPI] = {}
    for chunk in in_chunks(list(kpis_by_measure)):
        existing.update((kpi.pk, kpi) for kpi in KPI.objects.filter(measure_id__in=chunk))
    now = timezone.now()
    to_create, to_update, changed_fields, keep = [], [], set(), set()
    for measure_id, items in kpis_by_measure.items():
        for position, item in enumerate(items):
            item = normalize_texts(item)
            kpi_id = item.pop("id", None)
            item.setdefault("order", position + 1)
            if kpi_id is None:
                to_create.append(KPI(measure_id=measure_id, updated_at=now, **item))
                continue
            kpi = existing.get(kpi_id)
            if kpi is None or kpi.measure_id != measure_id:
                raise ValueError(f"KPI {kpi_id} does not belong to measure {measure_id}.")
            keep.add(kpi_id)
            changes = {name for name, value in item.items() if getattr(kpi, name) != value}
            if changes:
                assign_fields(kpi, item, KPI_FIELDS)
                kpi.updated_at = now
                changed_fields |= changes
                to_update.append(kpi)
    # Delete first so a new KPI may take over the name of one that goes.
    for chunk in in_chunks([pk for pk in existing if pk not in keep]):
        KPI.objects.filter(pk__in=chunk).delete()
    if to_update:
        KPI.objects.bulk_update(to_update, [*sorted(changed_fields), "updated_at"], 500)
    KPI.objects.bulk_create(to_create, batch_size=500)


def kpi_values_replace_bulk(*, values_by_measure: dict[int, list[dict]], by=None) -> None:
    """Make the values of each measure's KPIs the given list; the caller has validated them.

    Items: {"kpi": KPI name, "date", "value", "note"}; a value is matched by KPI and date.
    Values of these measures' KPIs left out are deleted. The changes show in the measure's
    history through the KPI state (see `measures_apply_bulk`).
    """
    kpis: dict[tuple[int, str], KPI] = {}
    existing: dict[tuple[int, object], KPIValue] = {}
    for chunk in in_chunks(list(values_by_measure)):
        for kpi in KPI.objects.filter(measure_id__in=chunk):
            kpis[(kpi.measure_id, kpi.name)] = kpi
        for value in KPIValue.objects.filter(kpi__measure_id__in=chunk):
            existing[(value.kpi_id, value.date)] = value
    author = by if getattr(by, "is_authenticated", False) else None
    to_create, to_update, keep = [], [], set()
    for measure_id, items in values_by_measure.items():
        for item in items:
            kpi = kpis[(measure_id, item["kpi"])]
            note = normalize_text(item.get("note", ""))
            current = existing.get((kpi.pk, item["date"]))
            if current is None:
                to_create.append(
                    KPIValue(
                        kpi=kpi,
                        date=item["date"],
                        value=item["value"],
                        note=note,
                        entered_by=author,
                    )
                )
                continue
            keep.add(current.pk)
            if current.value != item["value"] or current.note != note:
                current.value, current.note = item["value"], note
                current.entered_by = author or current.entered_by
                to_update.append(current)
    gone = [value.pk for value in existing.values() if value.pk not in keep]
    for chunk in in_chunks(gone):
        KPIValue.objects.filter(pk__in=chunk).delete()
    if to_update:
        KPIValue.objects.bulk_update(to_update, ["value", "note", "entered_by"], 500)
    KPIValue.objects.bulk_create(to_create, batch_size=500)
