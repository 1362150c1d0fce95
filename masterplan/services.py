"""Services of the programme layer: the rating legend and how it turns estimates into levels."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .models import (
    ESTIMATE_FIELD_BY_KIND,
    RATING_FIELD_BY_KIND,
    Programme,
    RatingLevel,
    RatingScale,
)


def legend_scales(*, programme: Programme) -> dict[str, RatingScale]:
    scales = RatingScale.objects.filter(programme=programme).prefetch_related("levels")
    return {scale.kind: scale for scale in scales}


def ratings_from_estimates(
    *, scales: dict[str, RatingScale], estimates: Mapping[str, Any]
) -> dict[str, str]:
    """The rating rule: {rating field: level} for each estimate given, by the legend `scales`
    (`legend_scales`). An estimate missing, or a kind without a legend with thresholds, is
    left out: a level set by hand stays as it is. Every write path (form, admin, import, bulk)
    derives ratings through this function."""
    derived = {}
    for kind, field in ESTIMATE_FIELD_BY_KIND.items():
        estimate = estimates.get(field)
        scale = scales.get(kind)
        if estimate is None or scale is None or not scale.levels.all():
            continue
        derived[RATING_FIELD_BY_KIND[kind]] = scale.level_for(Decimal(estimate))
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
