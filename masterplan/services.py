"""Services of the programme layer: the rating legend and how it turns estimates into levels."""

from decimal import Decimal

from .models import Programme, RatingKind, RatingScale

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
