"""The measure list's text search: every word somewhere in the measure, its goals or its KPIs.

Case-insensitive with umlauts on SQLite and PostgreSQL alike ("überarbeitung" finds
"Überarbeitung"; see `measures.text.UnicodeLower`). The measure's KPIs (their names) are
part of the measure aggregate and searched like its goals.
"""

import re

from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import Measure
from .text import UnicodeLower, search_term

# A measure's own columns, and {related name: columns} of records that hang on it.
MEASURE_FIELDS = ("title", "description", "responsible_units")
RELATED_FIELDS: dict[str, tuple[str, ...]] = {
    "goals": ("text", "progress_note"),
    "kpis": ("name",),
}
MAX_WORDS = 8  # more words add little but make the query long


def _contains(fields: tuple[str, ...], term: str) -> Q:
    """Any of the fields contains the (lowered) term, ignoring case."""
    condition = Q()
    if term.isascii():
        # icontains ignores A-Z case on every database (SQLite's LIKE does so itself) and is
        # ten times faster on SQLite than a LOWER written in Python.
        for name in fields:
            condition |= Q(**{f"{name}__icontains": term})
        return condition
    # With umlauts: the longest ASCII stretch first ("berarbeitung"), cheaply, so the
    # Unicode LOWER runs only on the few texts that can match.
    stretch = max(re.findall(r"[\x00-\x7f]+", term), key=len, default="")
    for name in fields:
        match = Q(**{f"_lower_{name}__contains": term})
        if len(stretch) > 1:
            match = Q(**{f"{name}__icontains": stretch}) & match
        condition |= match
    return condition


def _lowered(queryset: QuerySet, fields: tuple[str, ...]) -> QuerySet:
    return queryset.alias(**{f"_lower_{name}": UnicodeLower(name) for name in fields})


def text_search(queryset: QuerySet, text: str) -> QuerySet:
    """Measures with every word of `text` in one of the searched texts (number: its start)."""
    words = search_term(text).split()[:MAX_WORDS]
    if not words:
        return queryset
    queryset = _lowered(queryset, MEASURE_FIELDS)
    related = {}
    for related_name, fields in RELATED_FIELDS.items():
        relation = Measure._meta.get_field(related_name)
        rows = _lowered(relation.related_model.objects.all(), fields)
        related[related_name] = (rows, relation.field.name, fields)
    for word in words:
        condition = Q(number__startswith=word) | _contains(MEASURE_FIELDS, word)
        for rows, measure_field, fields in related.values():
            matches = rows.filter(_contains(fields, word), **{measure_field: OuterRef("pk")})
            condition |= Exists(matches)
        queryset = queryset.filter(condition)
    return queryset
