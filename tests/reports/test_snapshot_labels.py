"""The snapshot's labels are the models' own (get_FOO_display), in the report's language."""

from datetime import date

import pytest
from django.utils import translation

from measures.models import Goal, GoalStatus, Measure, MeasureStatus
from reports.snapshot import report_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(small_programme):
    """Not about the seed: some programme with some measures, built from factories."""
    return small_programme


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", ("in Umsetzung", "hoch", "", "verzögert", "Legacy")),
        ("en", ("in progress", "high", "", "delayed", "Legacy")),
    ],
)
def test_labels_follow_the_choices_and_the_language(programme, language, expected):
    measure = Measure.objects.get(number="1.1")
    Measure.objects.filter(pk=measure.pk).update(
        status=MeasureStatus.IN_PROGRESS, cost_rating="hoch", personnel_rating=""
    )
    first, second = measure.goals.order_by("order", "id")[:2]
    Goal.objects.filter(pk=first.pk).update(status=GoalStatus.DELAYED)
    Goal.objects.filter(pk=second.pk).update(status="Legacy")  # a value no longer offered

    with translation.override(language):
        snapshot = report_snapshot(
            programme=programme, title="", ds_number="", report_date=date(2026, 3, 1)
        )
    printed = next(m for g in snapshot["groups"] for m in g["measures"] if m["number"] == "1.1")
    levels = {rating["kind"]: rating["level_label"] for rating in printed["ratings"]}
    goals = {goal["id"]: goal["status_label"] for goal in printed["goals"]}
    assert (
        printed["status_label"],
        levels["cost"],
        levels["personnel"],
        goals[first.pk],
        goals[second.pk],
    ) == expected
