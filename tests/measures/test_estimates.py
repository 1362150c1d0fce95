"""The estimates (€, VZV, years) on the edit page: typed as people write numbers, in text
inputs with the decimal keypad, read by the project's one parser."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from measures.models import Measure

from .test_views import edit_post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(small_programme):
    """Not about the seed: some programme with some measures, built from factories."""
    return small_programme


ESTIMATES = ("cost_estimate", "personnel_estimate", "duration_estimate")


@pytest.fixture
def measure(programme):
    return Measure.objects.get(number="1.1")


def test_estimates_are_text_inputs_with_the_decimal_keypad(client, measure, editor_group_1):
    client.force_login(editor_group_1)
    body = client.get(reverse("measures:edit", args=[measure.pk])).content.decode()

    for name in ESTIMATES:
        [tag] = re.findall(rf'<input[^>]*name="{name}"[^>]*>', body)
        assert 'type="text"' in tag and 'inputmode="decimal"' in tag


def test_estimates_typed_the_german_way_are_stored_as_meant(client, measure, editor_group_1):
    client.force_login(editor_group_1)
    data = edit_post_data(client, measure)
    data.update(cost_estimate="1.000.000", personnel_estimate="2,5", duration_estimate="1,75")

    response = client.post(reverse("measures:edit", args=[measure.pk]), data)

    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.cost_estimate, measure.personnel_estimate, measure.duration_estimate) == (
        Decimal("1000000"),
        Decimal("2.5"),
        Decimal("1.75"),
    )
    # Shown again as typed, and saving the page unchanged records nothing.
    body = client.get(reverse("measures:edit", args=[measure.pk])).content.decode()
    assert 'value="1.000.000"' in body and 'value="2,5"' in body
    changes = measure.changes.count()
    client.post(reverse("measures:edit", args=[measure.pk]), edit_post_data(client, measure))
    assert measure.changes.count() == changes


def test_an_estimate_that_is_not_a_number_is_refused_naming_it(client, measure, editor_group_1):
    client.force_login(editor_group_1)
    data = edit_post_data(client, measure)
    data["cost_estimate"] = "1.0.0,5"

    response = client.post(reverse("measures:edit", args=[measure.pk]), data)

    assert response.status_code != 302
    assert response.context["form"].errors["cost_estimate"] == ["„1.0.0,5“ ist keine Zahl."]
    measure.refresh_from_db()
    assert measure.cost_estimate is None
