"""Services of the programme layer: the rating legend and how it turns estimates into levels."""

from decimal import Decimal

from .models import Programme, RatingKind, RatingLevel, RatingScale

ESTIMATE_FIELD_BY_KIND = {
    RatingKind.COST: "cost_estimate",
    RatingKind.PERSONNEL: "personnel_estimate",
    RatingKind.TIMEFRAME: "duration_estimate",
}


def legend_scales(*, programme: Programme) -> dict[str, RatingScale]:
    scales = RatingScale.objects.filter(programme=programme).prefetch_related("levels")
    return {scale.kind: scale for scale in scales}


def rating_levels_from_estimates(
    *, programme: Programme, estimates: dict[str, Decimal | None]
) -> dict[str, str]:
    """Levels derived from the estimates that are given, keyed by rating kind.

    A kind without an estimate, or without a legend with thresholds, is left out: a level set
    by hand stays as it is.
    """
    scales = legend_scales(programme=programme)
    derived = {}
    for kind, field in ESTIMATE_FIELD_BY_KIND.items():
        estimate = estimates.get(field)
        scale = scales.get(kind)
        if estimate is None or scale is None or not scale.levels.all():
            continue
        derived[kind] = scale.level_for(Decimal(estimate))
    return derived


def legend_create(*, programme: Programme, legend: list[dict]) -> None:
    """Create the programme's legend from plain data, as in fixtures/masterplan_seed.json:
    a list of scales (kind, label, note) each with ordered levels (level, definition,
    upper_bound as a string or None, upper_inclusive)."""
    for order, scale_data in enumerate(legend, start=1):
        scale = RatingScale.objects.create(
            programme=programme,
            kind=scale_data["kind"],
            label=scale_data["label"],
            note=scale_data["note"],
            order=order,
        )
        RatingLevel.objects.bulk_create(
            RatingLevel(
                scale=scale,
                level=level["level"],
                definition=level["definition"],
                upper_bound=None if level["upper_bound"] is None else Decimal(level["upper_bound"]),
                upper_inclusive=level["upper_inclusive"],
                order=position,
            )
            for position, level in enumerate(scale_data["levels"], start=1)
        )
