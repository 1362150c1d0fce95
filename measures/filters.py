"""The measure list's filters and sort order, all carried in the URL's query string."""

import django_filters
from django.db.models import Case, IntegerField, Value, When
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from masterplan.models import Level, QuickWin, Timeframe, WorkingGroup

from .models import Measure, MeasureStatus, TrafficLight
from .search import text_search
from .text import SortKey

NOT_RATED = "keine"


def _rating_filter(label, field_name: str, choices, none_label=None) -> django_filters.ChoiceFilter:
    """A filter on one rating, with "nicht bewertet" (blank) as a choice of its own."""
    return django_filters.ChoiceFilter(
        label=label,
        field_name=field_name,
        choices=[*choices, (NOT_RATED, none_label or _("nicht bewertet"))],
        method="filter_rating",
        empty_label=_("alle"),
    )


def _rank(field: str, values) -> Case:
    """Sort a rating by its meaning (gering < mittel < hoch), not alphabetically; unrated last."""
    return Case(
        *[When(**{field: value}, then=Value(rank)) for rank, value in enumerate(values)],
        default=Value(len(values)),
        output_field=IntegerField(),
    )


NUMBER_ORDER = ("working_group__number", "number_major", "number_minor")
SORT_KEYS = {
    "number": NUMBER_ORDER,
    # As people sort: "Datenaustausch" before "DMS", "Ärger" among the A (measures.text).
    "title": (SortKey("title"), "title", *NUMBER_ORDER),
    "group": NUMBER_ORDER,
    "status": (
        _rank("status", MeasureStatus.values),
        *NUMBER_ORDER,
    ),
    "cost": (_rank("cost_rating", Level.values), *NUMBER_ORDER),
    "personnel": (_rank("personnel_rating", Level.values), *NUMBER_ORDER),
    "timeframe": (_rank("timeframe_rating", Timeframe.values), *NUMBER_ORDER),
    "quickwin": (_rank("quick_win", QuickWin.values), *NUMBER_ORDER),
    # Most urgent first: kritisch, gefährdet, then the rest; no Ampel yet last.
    "ampel": (_rank("traffic_light", TrafficLight.by_urgency()), *NUMBER_ORDER),
}
SORT_LABELS = {
    "number": _("Nummer"),
    "title": _("Titel"),
    "group": _("Arbeitsgruppe"),
    "status": _("Status"),
    "cost": _("Kosten"),
    "personnel": _("Personal"),
    "timeframe": _("Zeitraum"),
    "quickwin": _("Quickwin"),
    "ampel": _("Ampel"),
}


def _descending(expression):
    if isinstance(expression, str):
        return f"-{expression}"
    return expression.desc()


class MeasureFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Suche"),
        method="filter_text",
        help_text=_(
            "Nummer, Titel, Beschreibung, verantwortliche Stellen, Ziele, Sachstand oder Kennzahlen"
        ),
    )
    group = django_filters.ChoiceFilter(
        label=_("Arbeitsgruppe"),
        field_name="working_group",
        choices=[],  # filled in per request, see __init__
        empty_label=_("alle"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=MeasureStatus.choices, empty_label=_("alle")
    )
    cost = _rating_filter(_("Kosten"), "cost_rating", Level.choices)
    personnel = _rating_filter(_("Personal"), "personnel_rating", Level.choices)
    timeframe = _rating_filter(_("Zeitraum"), "timeframe_rating", Timeframe.choices)
    quickwin = _rating_filter(_("Quickwin-Potential"), "quick_win", QuickWin.choices)
    # The Ampel of the latest approved status update (set by the reporting rounds).
    ampel = _rating_filter(_("Ampel"), "traffic_light", TrafficLight.choices, _("keine Ampel"))
    is_quickwin = django_filters.ChoiceFilter(
        label=_("Quickwin"),
        choices=[("ja", _("ja (ja oder teilweise)")), ("nein", _("nein"))],
        method="filter_is_quick_win",
        empty_label=_("alle"),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sortierung"),
        choices=[
            choice
            for key, label in SORT_LABELS.items()
            for choice in ((key, label), (f"-{key}", format_lazy(_("{}, absteigend"), label)))
        ],
        method="filter_sort",
        empty_label=_("Nummer"),
    )

    class Meta:
        model = Measure
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        groups = WorkingGroup.objects.order_by("programme", "number").values_list("pk", "name")
        self.filters["group"].extra["choices"] = list(groups)

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            queryset = super().qs
            if not getattr(self.form, "cleaned_data", {}).get("sort"):
                queryset = queryset.order_by(*NUMBER_ORDER)
            self._qs = queryset
        return self._qs

    def filter_text(self, queryset, name, value):
        return text_search(queryset, value)

    def filter_rating(self, queryset, name, value):
        return queryset.filter(**{name: "" if value == NOT_RATED else value})

    def filter_is_quick_win(self, queryset, name, value):
        if value == "ja":
            return queryset.quick_wins()
        return queryset.exclude(quick_win__in=QuickWin.wins())

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*sort_order(value))


def sort_order(value: str) -> tuple:
    """The order_by() of a sort choice: "-key" reverses the key, ties stay in number order.

    Descending by number reverses the whole number; by working group, the groups (IV to I),
    each still in number order.
    """
    key = value.removeprefix("-")
    order = SORT_KEYS[key]
    if not value.startswith("-"):
        return order
    if key == "number":
        return tuple(_descending(part) for part in order)
    if key == "title":  # the sort key and the title itself decide together
        return (_descending(order[0]), _descending(order[1]), *order[2:])
    return (_descending(order[0]), *order[1:])
