"""A stale save: only this editor's own changes are saved, on top of everybody else's.

The edit form keeps the state it was loaded with; after a conflict the page shows the merged
state (the others' changes beside the fields) and saving it applies only the editor's own
changes. A value both changed differently is refused until the editor decides.
"""

import pytest
from django.urls import reverse

from measures.models import GoalStatus, Measure, MeasureStatus
from measures.services import measure_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(small_programme):
    """Not about the seed: some programme with some measures, built from factories."""
    return small_programme


def form_data(context) -> dict:
    """The edit form of a rendered page as the browser would submit it."""
    data = {}
    formsets = [context["goals"], *(part["formset"] for part in context["parts"])]
    for form in [context["form"], *(f.management_form for f in formsets)]:
        for bound in form:
            data[bound.html_name] = bound.value()
    for formset in formsets:
        for form in formset.forms:
            for bound in form:
                value = bound.value()
                if value is None or value is False:
                    continue
                data[bound.html_name] = "on" if value is True else value
    return {key: "" if value is None else value for key, value in data.items()}


def load_form(client, measure: Measure) -> dict:
    response = client.get(reverse("measures:edit", args=[measure.pk]))
    assert response.status_code == 200
    return form_data(response.context)


def save(client, measure: Measure, data: dict):
    return client.post(reverse("measures:edit", args=[measure.pk]), data)


def other_saves(measure: Measure, by, **kwargs):
    current = Measure.objects.get(pk=measure.pk)
    return measure_update(measure=current, expected_version=current.version, by=by, **kwargs)


@pytest.fixture
def m(programme):
    return Measure.objects.get(number="1.1")


def test_saving_from_the_conflict_page_keeps_the_other_editors_title(
    client, m, editor_group_1, admin_user
):
    client.force_login(editor_group_1)
    data = load_form(client, m)
    other_saves(m, admin_user, data={"title": "Titel der Administration"})
    data["status"] = MeasureStatus.COMPLETED

    conflict = save(client, m, data)

    assert conflict.status_code == 409
    body = conflict.content.decode()
    assert "Titel der Administration" in body and "Inzwischen von anderen gespeichert" in body
    m.refresh_from_db()
    assert m.status != MeasureStatus.COMPLETED  # nothing saved yet

    again = save(client, m, form_data(conflict.context))

    assert again.status_code == 302
    m.refresh_from_db()
    assert (m.title, m.status) == ("Titel der Administration", MeasureStatus.COMPLETED)
    record = m.changes.first()
    assert set(record.diff) == {"status"} and record.changed_by == editor_group_1


def test_re_posting_the_stale_form_never_reverts_the_other_change(
    client, m, editor_group_1, admin_user
):
    client.force_login(editor_group_1)
    data = load_form(client, m)
    other_saves(m, admin_user, data={"title": "Titel der Administration"})
    data["responsible_units"] = "FB 11"

    for _attempt in range(2):  # e.g. the browser's back button and "save" again
        response = save(client, m, data)
        assert response.status_code == 409

    m.refresh_from_db()
    assert m.title == "Titel der Administration"


def test_the_same_field_changed_by_both_is_refused_until_the_editor_decides(
    client, m, editor_group_1, admin_user
):
    client.force_login(editor_group_1)
    data = load_form(client, m)
    other_saves(m, admin_user, data={"title": "Titel der Administration"})
    data["title"] = "Titel der Redaktion"

    conflict = save(client, m, data)
    assert conflict.status_code == 409
    assert [o["key"] for o in conflict.context["overlaps"]] == ["title"]

    refused = save(client, m, form_data(conflict.context))
    assert refused.status_code == 409
    m.refresh_from_db()
    assert m.title == "Titel der Administration"

    decided = form_data(refused.context)
    decided["keep_mine"] = "title"
    assert save(client, m, decided).status_code == 302
    m.refresh_from_db()
    assert m.title == "Titel der Redaktion"


def test_taking_over_the_other_value_settles_an_overlap(client, m, editor_group_1, admin_user):
    client.force_login(editor_group_1)
    data = load_form(client, m)
    other_saves(m, admin_user, data={"title": "Titel der Administration"})
    data["title"] = "Titel der Redaktion"
    data["status"] = MeasureStatus.IN_PROGRESS
    conflict = save(client, m, data)

    settled = form_data(conflict.context)
    settled["title"] = "Titel der Administration"
    assert save(client, m, settled).status_code == 302

    m.refresh_from_db()
    assert (m.title, m.status) == ("Titel der Administration", MeasureStatus.IN_PROGRESS)


def test_goal_changes_of_both_are_kept(client, m, editor_group_1, admin_user):
    first, second = m.goals.order_by("order")
    client.force_login(editor_group_1)
    data = load_form(client, m)
    goals = [
        {"id": first.pk, "text": first.text, "target": first.target, "status": first.status},
        {
            "id": second.pk,
            "text": second.text,
            "target": second.target,
            "status": GoalStatus.REACHED,
        },
        {"text": "Ein Ziel der Administration", "target": "bis Ende 2030"},
    ]
    other_saves(m, admin_user, data={}, goals=goals)
    index = next(i for i in range(2) if data[f"goals-{i}-id"] == first.pk)
    data[f"goals-{index}-progress_note"] = "Pilot läuft"

    conflict = save(client, m, data)
    assert conflict.status_code == 409
    again = save(client, m, form_data(conflict.context))

    assert again.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.progress_note == "Pilot läuft"
    assert second.status == GoalStatus.REACHED
    assert m.goals.filter(text="Ein Ziel der Administration").exists()


def test_a_goal_changed_by_both_differently_is_an_overlap(client, m, editor_group_1, admin_user):
    first = m.goals.order_by("order").first()
    client.force_login(editor_group_1)
    data = load_form(client, m)
    other_saves(
        m,
        admin_user,
        data={},
        goals=[
            {"id": goal.pk, "text": goal.text, "target": goal.target, "progress_note": "A"}
            for goal in m.goals.order_by("order")
        ],
    )
    index = next(i for i in range(2) if data[f"goals-{i}-id"] == first.pk)
    data[f"goals-{index}-progress_note"] = "B"

    conflict = save(client, m, data)

    assert [o["key"] for o in conflict.context["overlaps"]] == [f"goals:{first.pk}:progress_note"]
    assert save(client, m, form_data(conflict.context)).status_code == 409
    first.refresh_from_db()
    assert first.progress_note == "A"


def test_a_save_after_the_conflict_page_shows_newer_changes_first(
    client, m, editor_group_1, admin_user, editor_group_2
):
    client.force_login(editor_group_1)
    data = load_form(client, m)
    other_saves(m, admin_user, data={"title": "Titel der Administration"})
    data["status"] = MeasureStatus.COMPLETED
    conflict = save(client, m, data)
    other_saves(m, admin_user, data={"responsible_units": "FB 12"})

    again = save(client, m, form_data(conflict.context))

    assert again.status_code == 409  # a change the editor has not seen yet
    assert "FB 12" in again.content.decode()
    final = save(client, m, form_data(again.context))
    assert final.status_code == 302
    m.refresh_from_db()
    assert (m.title, m.responsible_units, m.status) == (
        "Titel der Administration",
        "FB 12",
        MeasureStatus.COMPLETED,
    )


def test_a_kpi_value_entered_meanwhile_does_not_hold_up_the_save(
    client, m, editor_group_1, admin_user
):
    from datetime import date
    from decimal import Decimal

    from kpis.services import kpi_value_record

    client.force_login(editor_group_1)
    data = load_form(client, m)
    kpi = m.kpis.order_by("order").first()
    kpi_value_record(kpi=kpi, date=date(2024, 1, 31), value=Decimal("7"), by=admin_user)
    data["title"] = "Titel der Redaktion"

    response = save(client, m, data)

    assert response.status_code == 302
    m.refresh_from_db()
    assert m.title == "Titel der Redaktion"
    assert kpi.values.get().value == Decimal("7")
    assert set(m.changes.first().diff) == {"title"}


@pytest.mark.parametrize("base", ["kaputt", "[]", '{"measure": 5}', '{"goals": [1, 2]}', ""])
def test_a_damaged_base_falls_back_to_the_history_and_never_fails(
    client, m, editor_group_1, admin_user, base
):
    client.force_login(editor_group_1)
    data = load_form(client, m)
    other_saves(m, admin_user, data={"title": "Titel der Administration"})
    data["base"] = base
    data["status"] = MeasureStatus.COMPLETED

    conflict = save(client, m, data)
    assert conflict.status_code == 409
    again = save(client, m, form_data(conflict.context))
    assert again.status_code == 302, again.context and again.context["errors"]

    m.refresh_from_db()
    assert (m.title, m.status) == ("Titel der Administration", MeasureStatus.COMPLETED)
