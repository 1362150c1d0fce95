"""The status update page also carries the measure's goals (status, progress note) and its KPI
values as of the round's Stichtag, saved through the measures' and KPIs' own services, and only
while the update is editable."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from kpis.models import KPIValue
from measures.models import ChangeRecord, GoalStatus, Measure
from rounds.models import StatusUpdate, TrafficLight, UpdateAction
from rounds.services import round_create, round_open, update_save, update_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def past_round(programme, admin_user, django_capture_on_commit_callbacks):
    """A round whose Stichtag has passed, so values may be dated on it."""
    round_ = round_create(
        programme=programme,
        name="Sachstand 2/2025",
        reporting_date=date(2025, 12, 31),
        update_deadline=date(2099, 1, 15),
        review_deadline=date(2099, 1, 30),
    )
    with django_capture_on_commit_callbacks(execute=False):
        return round_open(round=round_, by=admin_user)


def update_1_1(round_):
    return StatusUpdate.objects.get(round=round_, measure__number="1.1")


def goals_post(measure, **changes) -> dict:
    data = {"measure_version": measure.version}
    for goal in measure.goals.order_by("order", "id"):
        data[f"goal-{goal.pk}-status"] = changes.get("status", goal.status)
        data[f"goal-{goal.pk}-progress_note"] = changes.get("note", goal.progress_note)
    return data


def test_the_editor_sets_the_goals_status_and_progress_from_the_update_page(
    client, past_round, editor_group_1
):
    update = update_1_1(past_round)
    measure = Measure.objects.get(number="1.1")
    version = measure.version
    client.force_login(editor_group_1)
    page = client.get(reverse("rounds:update", args=[update.pk])).content.decode()
    assert reverse("rounds:update_goals", args=[update.pk]) in page

    response = client.post(
        reverse("rounds:update_goals", args=[update.pk]),
        goals_post(measure, status=GoalStatus.IN_PROGRESS, note="Ausschreibung läuft"),
    )
    assert response.status_code == 302
    goals = list(measure.goals.all())
    assert {goal.status for goal in goals} == {GoalStatus.IN_PROGRESS}
    assert {goal.progress_note for goal in goals} == {"Ausschreibung läuft"}
    measure.refresh_from_db()
    assert measure.version == version + 1
    record = measure.changes.latest("changed_at", "pk")
    assert (record.action, record.changed_by) == (ChangeRecord.Action.UPDATED, editor_group_1)
    # Only status and note moved: order and target dates stay as they were.
    changed = {name for item in record.diff["goals"] for name in item["fields"]}
    assert changed == {"status", "progress_note"}


def test_a_stale_goals_save_is_refused_and_changes_nothing(client, past_round, editor_group_1):
    update = update_1_1(past_round)
    measure = Measure.objects.get(number="1.1")
    data = goals_post(measure, note="meine Fassung")
    data["measure_version"] = measure.version - 1 if measure.version > 1 else 99
    client.force_login(editor_group_1)
    response = client.post(reverse("rounds:update_goals", args=[update.pk]), data)
    assert response.status_code == 409
    assert "inzwischen geändert" in response.content.decode()
    assert not measure.goals.filter(progress_note="meine Fassung").exists()


def test_kpi_values_are_entered_as_of_the_stichtag(client, past_round, editor_group_1):
    update = update_1_1(past_round)
    kpi = update.measure.kpis.first()
    client.force_login(editor_group_1)
    response = client.post(
        reverse("rounds:update_kpis", args=[update.pk]),
        {f"kpi-{kpi.pk}-value": "12.500", f"kpi-{kpi.pk}-note": "geschätzt"},
    )
    assert response.status_code == 302
    value = KPIValue.objects.get(kpi=kpi)
    assert (value.date, value.value, value.note) == (
        date(2025, 12, 31),
        Decimal(12500),
        "geschätzt",
    )
    assert value.entered_by == editor_group_1
    page = client.get(reverse("rounds:update", args=[update.pk])).content.decode()
    assert 'value="12.500"' in page


def test_a_bad_kpi_value_names_the_kpi_and_saves_nothing(client, past_round, editor_group_1):
    update = update_1_1(past_round)
    kpis = list(update.measure.kpis.order_by("order", "id"))
    first = kpis[0]
    client.force_login(editor_group_1)
    response = client.post(
        reverse("rounds:update_kpis", args=[update.pk]),
        {f"kpi-{first.pk}-value": "-3"},
    )
    assert response.status_code == 400
    assert first.name in response.content.decode()
    assert not KPIValue.objects.filter(kpi__measure=update.measure).exists()


def test_a_future_stichtag_takes_no_kpi_values(client, open_round, editor_group_1):
    update = update_1_1(open_round)  # Stichtag 31.03.2027
    kpi = update.measure.kpis.first()
    client.force_login(editor_group_1)
    response = client.post(
        reverse("rounds:update_kpis", args=[update.pk]), {f"kpi-{kpi.pk}-value": "5"}
    )
    assert response.status_code == 400
    assert not KPIValue.objects.filter(kpi=kpi).exists()


def test_goals_and_kpis_are_read_only_once_the_update_is_submitted(
    client, past_round, editor_group_1
):
    update = update_1_1(past_round)
    update = update_save(
        update=update,
        data={"traffic_light": TrafficLight.ON_TRACK, "achieved": "Konzept"},
        expected_version=update.version,
        by=editor_group_1,
    )
    update_transition(update=update, action=UpdateAction.SUBMIT, by=editor_group_1)
    measure = Measure.objects.get(number="1.1")
    kpi = measure.kpis.first()
    client.force_login(editor_group_1)
    page = client.get(reverse("rounds:update", args=[update.pk])).content.decode()
    assert reverse("rounds:update_goals", args=[update.pk]) not in page
    assert reverse("rounds:update_kpis", args=[update.pk]) not in page
    response = client.post(
        reverse("rounds:update_goals", args=[update.pk]), goals_post(measure, note="spät")
    )
    assert response.status_code == 403
    response = client.post(
        reverse("rounds:update_kpis", args=[update.pk]), {f"kpi-{kpi.pk}-value": "5"}
    )
    assert response.status_code == 403
    assert not measure.goals.filter(progress_note="spät").exists()
    assert not KPIValue.objects.filter(kpi=kpi).exists()


def test_editors_of_another_group_cannot_change_goals_or_kpis(client, past_round, editor_group_2):
    update = update_1_1(past_round)
    measure = Measure.objects.get(number="1.1")
    client.force_login(editor_group_2)
    response = client.post(
        reverse("rounds:update_goals", args=[update.pk]), goals_post(measure, note="fremd")
    )
    assert response.status_code == 403
    assert not measure.goals.filter(progress_note="fremd").exists()
