"""What changes KPIs. KPI changes are part of their measure's history (see `measures.services`)."""

from collections import defaultdict
from datetime import date as Date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from masterplan.numbers import format_decimal
from measures.models import ChangeRecord, Measure
from measures.services import (
    StatePart,
    assign_fields,
    in_chunks,
    measure_lock,
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
        {
            "date": value.date.isoformat(),
            "value": plain_value(value.value),
            "note": value.note,
            # Who measured it, so a restore that brings a value back keeps its author.
            "entered_by": value.entered_by_id,
        }
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
            raise ValidationError(
                {"kpis": _("Kennzahl %(id)s gehört nicht zu dieser Maßnahme.") % {"id": kpi_id}}
            )
        item.setdefault("order", position + 1)
        assign_fields(kpi, item, KPI_FIELDS)
        if kpi.name in names:
            errors[f"kpis-{position}-name"] = [_("Diese Kennzahl ist doppelt aufgeführt.")]
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


def _value_key(item: dict) -> str:
    return str(item["date"])


def _later_values(kpi: KPI | None, old_values: list[dict]) -> list[tuple[KPIValue, dict | None]]:
    """The KPI's values entered or corrected since `old_values`, each with its old item."""
    if kpi is None:
        return []
    old_by_date = {_value_key(item): item for item in old_values}
    later = []
    for value in kpi.values.all():
        old = old_by_date.get(value.date.isoformat())
        if old is None or (plain_value(value.value), value.note) != (old["value"], old["note"]):
            later.append((value, old))
    return later


def _match_kpis(measure: Measure, items: list[dict]) -> tuple[dict[int, KPI], list[KPI]]:
    """Current KPIs for the items of an earlier state (by id, else by name) and the others."""
    current = {kpi.pk: kpi for kpi in measure.kpis.prefetch_related("values")}
    by_name = {kpi.name: kpi for kpi in current.values()}
    matched: dict[int, KPI] = {}
    for position, item in enumerate(items):
        kpi = current.get(item.get("id")) or by_name.get(item["name"])
        if kpi is not None and kpi not in matched.values():
            matched[position] = kpi
    others = [kpi for kpi in current.values() if kpi not in matched.values()]
    return matched, others


def _restore_kpis(measure: Measure, items: list[dict], *, remove_later: bool = False) -> None:
    """Bring back the KPIs (and values) of an earlier `measure_kpis_state`.

    KPI definitions return to that state; KPIs deleted since are created anew. Values are
    measurements, not versions: values deleted since come back (with who entered them), but
    values entered or corrected since stay as they are, and a KPI added since keeps its
    values, unless `remove_later` takes the values back to that state as well.
    """
    matched, others = _match_kpis(measure, items)
    kept_later = [kpi for kpi in others if not remove_later and kpi.values.exists()]
    definitions = [
        {
            **{key: value for key, value in item.items() if key not in ("values", "id")},
            **({"id": matched[position].pk} if position in matched else {}),
        }
        for position, item in enumerate(items)
    ]
    definitions += [
        {"id": kpi.pk, **{field: getattr(kpi, field) for field in KPI_FIELDS}} for kpi in kept_later
    ]
    for position, item in enumerate(definitions, start=1):
        item["order"] = position
    kpis_replace(measure=measure, kpis=definitions)

    authors = {value.get("entered_by") for item in items for value in item.get("values", [])}
    users = set(
        get_user_model().objects.filter(pk__in=authors - {None}).values_list("pk", flat=True)
    )
    kpis_by_name = {kpi.name: kpi for kpi in measure.kpis.all()}
    for item in items:
        kpi = kpis_by_name[item["name"]]
        current = {value.date.isoformat(): value for value in kpi.values.all()}
        old_values = {_value_key(value): value for value in item.get("values", [])}
        for day, old in old_values.items():
            value = current.get(day)
            author = old.get("entered_by") if old.get("entered_by") in users else None
            if value is None:
                KPIValue.objects.create(
                    kpi=kpi,
                    date=Date.fromisoformat(day),
                    value=old["value"],
                    note=old["note"],
                    entered_by_id=author,
                )
            elif remove_later and (plain_value(value.value), value.note) != (
                old["value"],
                old["note"],
            ):
                value.value, value.note = old["value"], old["note"]
                if "entered_by" in old:
                    value.entered_by_id = author
                value.save(update_fields=["value", "note", "entered_by"])
        if remove_later:
            kpi.values.exclude(date__in=list(old_values)).delete()


def _later_kpi_entries(measure: Measure, items: list[dict]) -> list[dict]:
    """For the restore preview: values measured since the earlier state `items`."""
    matched, others = _match_kpis(measure, items)
    pairs = [(matched.get(position), item.get("values", [])) for position, item in enumerate(items)]
    pairs += [(kpi, []) for kpi in others]
    entries = []
    for kpi, old_values in pairs:
        for value, old in _later_values(kpi, old_values):
            author = value.entered_by
            entries.append(
                {
                    "label": kpi.name,
                    "date": value.date,
                    "value": format_decimal(value.value),
                    "note": value.note,
                    "old_value": format_decimal(Decimal(old["value"])) if old else None,
                    "entered_by": (author.get_full_name() or author.get_username())
                    if author
                    else "",
                }
            )
    return entries


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
    later_entries=_later_kpi_entries,
)


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
