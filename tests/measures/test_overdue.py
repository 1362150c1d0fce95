"""Overdue goals: one rule (Goal.is_overdue) for the overview, the list and the detail page.

"today" is fixed: passed to the selectors, and frozen for the views.
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from measures.models import Goal, GoalStatus, Measure
from measures.selectors import overdue_goal_counts, overview

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 15)
YESTERDAY, TOMORROW = TODAY - timedelta(days=1), TODAY + timedelta(days=1)

CASES = [
    # target date, open-ended, status, overdue?
    (YESTERDAY, False, GoalStatus.OPEN, True),
    (YESTERDAY, False, GoalStatus.IN_PROGRESS, True),
    (YESTERDAY, False, GoalStatus.DELAYED, True),
    (YESTERDAY, False, GoalStatus.REACHED, False),
    (YESTERDAY, False, GoalStatus.DROPPED, False),
    (TODAY, False, GoalStatus.OPEN, False),  # due today is not late yet
    (TOMORROW, False, GoalStatus.OPEN, False),
    (date(2021, 1, 1), True, GoalStatus.OPEN, False),  # "ab 2021" has no end
    (None, False, GoalStatus.OPEN, False),  # a target we could not read
]


@pytest.fixture
def goal(programme):
    """The first goal of measure 1.1; all other goals have no date, so it is the only candidate."""
    goal = Measure.objects.get(number="1.1").goals.order_by("order").first()
    Goal.objects.exclude(pk=goal.pk).update(target_date=None, target_open_ended=False)
    return goal


def set_goal(goal: Goal, target_date, open_ended: bool, status: str) -> Goal:
    Goal.objects.filter(pk=goal.pk).update(
        target_date=target_date, target_open_ended=open_ended, status=status
    )
    goal.refresh_from_db()
    return goal


@pytest.fixture
def frozen_today(monkeypatch):
    monkeypatch.setattr("measures.views.timezone.localdate", lambda *args: TODAY)


@pytest.mark.parametrize(("target_date", "open_ended", "status", "overdue"), CASES)
def test_overview_and_list_use_the_rule_of_goal_is_overdue(
    goal, target_date, open_ended, status, overdue
):
    goal = set_goal(goal, target_date, open_ended, status)

    assert goal.is_overdue(TODAY) is overdue
    listed = goal.pk in [g.pk for g in overview(today=TODAY).overdue_goals]
    assert listed is overdue
    counts = overdue_goal_counts(measure_ids=[goal.measure_id], today=TODAY)
    assert counts.get(goal.measure_id, 0) == (1 if overdue else 0)


def test_pages_flag_a_goal_overdue_from_the_day_after_its_date(
    client, goal, committee_member, frozen_today
):
    set_goal(goal, YESTERDAY, False, GoalStatus.OPEN)
    client.force_login(committee_member)

    home = client.get(reverse("home")).content.decode()
    assert f"überfällig seit {YESTERDAY:%d.%m.%Y}" in home
    rows = client.get(reverse("measures:list")).context["measures"]
    assert {row["number"]: row["overdue"] for row in rows}["1.1"] == 1
    detail = client.get(reverse("measures:detail", args=[goal.measure_id]))
    assert [entry["overdue"] for entry in detail.context["goals"]][0] is True
    assert "badge--danger" in detail.content.decode()


def test_pages_do_not_flag_a_goal_due_today(client, goal, committee_member, frozen_today):
    set_goal(goal, TODAY, False, GoalStatus.OPEN)
    client.force_login(committee_member)

    assert goal.pk not in [
        g.pk for g in client.get(reverse("home")).context["overview"].overdue_goals
    ]
    rows = client.get(reverse("measures:list")).context["measures"]
    assert {row["number"]: row["overdue"] for row in rows}["1.1"] == 0
    detail = client.get(reverse("measures:detail", args=[goal.measure_id]))
    assert not any(entry["overdue"] for entry in detail.context["goals"])
