"""Overdue goals: one rule (Goal.is_overdue, as a query Goal.objects.overdue) for the overview,
the list, the detail page and the PDF snapshot; closed statuses (GoalStatus.closed) once for
them.

"today" is fixed: passed to the selectors, and frozen for the views.
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from measures.models import Goal, GoalStatus, Measure
from measures.selectors import overdue_goal_counts, overview
from reports.snapshot import report_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(small_programme):
    """Not about the seed: some programme with some measures, built from factories."""
    return small_programme


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
    assert Goal.objects.overdue(TODAY).filter(pk=goal.pk).exists() is overdue
    listed = goal.pk in [g.pk for g in overview(today=TODAY).overdue_goals]
    assert listed is overdue
    counts = overdue_goal_counts(measure_ids=[goal.measure_id], today=TODAY)
    assert counts.get(goal.measure_id, 0) == (1 if overdue else 0)
    snapshot = report_snapshot(
        programme=goal.measure.programme, title="", ds_number="", report_date=TODAY
    )
    printed = [g for group in snapshot["groups"] for m in group["measures"] for g in m["goals"]]
    assert next(g for g in printed if g["id"] == goal.pk)["overdue"] is overdue


@pytest.mark.parametrize(
    ("status", "closed"),
    [
        (GoalStatus.OPEN, False),
        (GoalStatus.IN_PROGRESS, False),
        (GoalStatus.DELAYED, False),
        (GoalStatus.REACHED, True),
        (GoalStatus.DROPPED, True),
    ],
)
def test_closed_statuses_are_never_overdue(goal, editor_group_1, status, closed):
    assert (status in GoalStatus.closed()) is closed
    goal = set_goal(goal, YESTERDAY, False, status)
    Goal.objects.filter(pk=goal.pk).update(updated_at=goal.updated_at.replace(year=2020))

    assert Goal.objects.not_closed().filter(pk=goal.pk).exists() is not closed
    assert goal.is_overdue(TODAY) is not closed


@pytest.mark.parametrize(
    ("target_date", "open_ended", "due"),
    [
        (TODAY, False, True),
        (TODAY + timedelta(days=90), False, True),
        (TODAY + timedelta(days=91), False, False),
        (YESTERDAY, False, False),  # overdue, not due
        (TOMORROW, True, False),  # "ab …" starts then, it is not due then
    ],
)
def test_due_soon_goals_have_an_end_date_within_the_window(goal, target_date, open_ended, due):
    set_goal(goal, target_date, open_ended, GoalStatus.OPEN)

    window = Goal.objects.due_between(TODAY, TODAY + timedelta(days=90))
    assert window.filter(pk=goal.pk).exists() is due
    assert (goal.pk in [g.pk for g in overview(today=TODAY).due_goals]) is due


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
