"""The list page's query count does not grow with the number of measures."""

import pytest
from django.urls import reverse

from masterplan.models import Level, QuickWin
from measures.models import Goal, Measure
from measures.views import PAGE_SIZE

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(small_programme):
    """Not about the seed: some programme with some measures, built from factories."""
    return small_programme


def add_measures(programme, count: int) -> None:
    groups = list(programme.working_groups.all())
    measures = [
        Measure(
            programme=programme,
            working_group=groups[i % len(groups)],
            number=f"{groups[i % len(groups)].number}.{100 + i // len(groups)}",
            title=f"Maßnahme {i}",
            description="Beschreibung",
            cost_rating=Level.values[i % 3],
            quick_win=QuickWin.values[i % 3],
        )
        for i in range(count)
    ]
    created = Measure.objects.bulk_create(measures)
    Goal.objects.bulk_create(
        Goal(measure=measure, text=f"Ziel {measure.number}", order=1) for measure in created
    )


@pytest.mark.parametrize("count", [10, 1000])
@pytest.mark.parametrize(
    "query",
    [{}, {"q": "Ziel"}, {"sort": "-cost", "is_quickwin": "ja"}, {"page": "2"}],
    ids=["plain", "search", "sorted", "page-2"],
)
def test_list_query_count_is_constant(
    client, programme, editor_group_1, django_assert_max_num_queries, count, query
):
    add_measures(programme, count)
    client.force_login(editor_group_1)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("measures:list"), query)
    assert response.status_code == 200
    assert len(response.context["measures"]) <= PAGE_SIZE
    assert response.context["page"].paginator.count >= (count if not query else 1)


@pytest.mark.parametrize("count", [10, 1000])
def test_overview_query_count_is_constant(
    client, programme, committee_member, django_assert_max_num_queries, count
):
    before = programme.measures.count()
    add_measures(programme, count)
    client.force_login(committee_member)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("home"))
    assert response.context["overview"].total == before + count
