"""The public measure list's filters: the staff list's (`measures.filters`) for one programme."""

from measures.filters import MeasureFilter


class PublicMeasureFilter(MeasureFilter):
    """Search, working group, status, Ampel and ratings, as on the staff list; the groups to
    choose from are the public programme's only."""

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        groups = programme.working_groups.order_by("number")
        self.filters["group"].extra["choices"] = [
            (group.pk, f"{group.numeral} – {group.name}") for group in groups
        ]
