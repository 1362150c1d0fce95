"""The edit page's row counts (formset management forms) are checked before anything is saved.

A crafted `goals-TOTAL_FORMS=-1` used to read as "no goals" and deleted every goal.
"""

import pytest
from django.urls import reverse

from measures.models import Measure
from tests.measures.test_views import edit_post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(small_programme):
    """Not about the seed: some programme with some measures, built from factories."""
    return small_programme


@pytest.mark.parametrize("prefix", ["goals", "kpis"])
@pytest.mark.parametrize(
    "total, initial",
    [("-1", None), ("0", None), ("1000000000", None), ("abc", None), ("2", "3"), ("-5", "-5")],
)
def test_a_bad_row_count_is_refused_and_changes_nothing(
    client, programme, editor_group_1, prefix, total, initial
):
    measure = Measure.objects.get(number="1.2")
    goals = list(measure.goals.values_list("pk", "text"))
    kpis = list(measure.kpis.values_list("pk", "name"))
    assert goals and kpis
    client.force_login(editor_group_1)
    data = edit_post_data(client, measure)
    data["title"] = "Geändert"
    data[f"{prefix}-TOTAL_FORMS"] = total
    if initial is not None:
        data[f"{prefix}-INITIAL_FORMS"] = initial
    elif total == "0":
        data[f"{prefix}-INITIAL_FORMS"] = data[f"{prefix}-INITIAL_FORMS"]  # rows dropped
    if total == "0" and data[f"{prefix}-INITIAL_FORMS"] == "0":
        pytest.skip("nothing loaded, nothing to drop")

    response = client.post(reverse("measures:edit", args=[measure.pk]), data)

    assert response.status_code == 422
    assert response.context["errors"], "the page names what is wrong"
    measure.refresh_from_db()
    assert measure.title != "Geändert"
    assert list(measure.goals.values_list("pk", "text")) == goals
    assert list(measure.kpis.values_list("pk", "name")) == kpis
    assert measure.changes.count() == 1


def test_the_add_row_button_with_a_bad_count_does_not_fail(client, programme, editor_group_1):
    measure = Measure.objects.get(number="1.2")
    client.force_login(editor_group_1)
    data = edit_post_data(client, measure)
    data["goals-TOTAL_FORMS"] = "viele"
    data["add"] = "goals"

    response = client.post(reverse("measures:edit", args=[measure.pk]), data)

    assert response.status_code < 500
