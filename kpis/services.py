"""What changes KPIs. KPI changes are part of their measure's history (see `measures.services`)."""

from django.core.exceptions import ValidationError

from measures.models import Measure
from measures.services import StatePart, assign_fields, plain_value

from .models import KPI

KPI_FIELDS = ("order", "name", "unit", "target", "target_value", "target_date")


def kpi_state(kpi: KPI) -> dict:
    return {"id": kpi.pk, **{field: plain_value(getattr(kpi, field)) for field in KPI_FIELDS}}


def measure_kpis_state(measure: Measure) -> list[dict]:
    return [kpi_state(kpi) for kpi in measure.kpis.order_by("order", "id")]


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
    kpis_replace(measure=measure, kpis=[dict(item) for item in items])


KPI_STATE_PART = StatePart(name="kpis", serialize=measure_kpis_state, restore=_restore_kpis)
