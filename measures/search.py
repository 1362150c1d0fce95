"""The measure list's text search: every word somewhere in the measure, its goals or its KPIs.

Case-insensitive with umlauts on SQLite and PostgreSQL alike ("überarbeitung" finds
"Überarbeitung"; see `measures.text.UnicodeLower`). Apps above `measures` add the text of
their own records with `register_search_fields` in `ready()` (kpis: KPI names), so this
module imports none of them.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import Measure
from .text import UnicodeLower, search_term

# A measure's own columns, and {related name: columns} of records that hang on it.
MEASURE_FIELDS = ("title", "description", "responsible_units")
RELATED_FIELDS: dict[str, tuple[str, ...]] = {"goals": ("text", "progress_note")}
MAX_WORDS = 8  # more words add little but make the query long


def register_search_fields(*, related_name: str, fields: tuple[str, ...]) -> None:
    """Search also these columns of the records behind `Measure.<related_name>`."""
    known = RELATED_FIELDS.get(related_name, ())
    RELATED_FIELDS[related_name] = tuple(dict.fromkeys((*known, *fields)))


def _contains(fields: tuple[str, ...], term: str) -> Q:
    condition = Q()
    for name in fields:
        condition |= Q(**{f"_lower_{name}__contains": term})
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
        model = relation.related_model
        related[related_name] = (_lowered(model.objects.all(), fields), relation.field.name, fields)
    for word in words:
        condition = Q(number__startswith=word) | _contains(MEASURE_FIELDS, word)
        for rows, measure_field, fields in related.values():
            matches = rows.filter(_contains(fields, word), **{measure_field: OuterRef("pk")})
            condition |= Exists(matches)
        queryset = queryset.filter(condition)
    return queryset
