"""Services of the programme layer: the rating legend and how it turns estimates into levels;
the public data version every write of public data bumps."""

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import (
    ESTIMATE_FIELD_BY_KIND,
    RATING_FIELD_BY_KIND,
    Programme,
    PublicDataVersion,
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


# Public data version ------------------------------------------------------------------------

PUBLIC_VERSION_ROW = 1


def public_data_version_bump() -> None:
    """Count the public data version up now (one short UPDATE, in autocommit after the write)."""
    now = timezone.now()
    bumped = PublicDataVersion.objects.filter(pk=PUBLIC_VERSION_ROW).update(
        number=F("number") + 1, changed_at=now
    )
    if not bumped:
        PublicDataVersion.objects.get_or_create(
            pk=PUBLIC_VERSION_ROW, defaults={"number": 1, "changed_at": now}
        )


def public_data_changed(*, programme_ids: Iterable[int] = (), always: bool = False) -> None:
    """Something the public may see changed: bump the version once the transaction commits.

    Only when one of the programmes is public (or `always`, e.g. when a programme stops being
    public). After the commit, so a rolled-back write bumps nothing and the one version row is
    never locked while a write holds measure locks (no waiting, no deadlock)."""
    if always or Programme.objects.public().filter(pk__in=list(programme_ids)).exists():
        transaction.on_commit(public_data_version_bump)
