"""The staff pages: overview, list with filters, detail with history, edit, restore."""

from datetime import date

import pytest
from django.urls import reverse

from measures.models import ChangeRecord, Goal, GoalStatus, Measure, MeasureStatus
from measures.services import measure_update

pytestmark = pytest.mark.django_db


def measure(programme, number: str) -> Measure:
    return Measure.objects.get(programme=programme, number=number)


def edit_post_data(client, m: Measure) -> dict:
    """The edit form as the browser would submit it unchanged."""
    response = client.get(reverse("measures:edit", args=[m.pk]))
    assert response.status_code == 200
    data = {}
    for form in [response.context["form"], *response.context["goals"].forms]:
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            data[bound.html_name] = "on" if value is True else value
    for formset in [response.context["goals"], *(p["formset"] for p in response.context["parts"])]:
        management = formset.management_form
        for bound in management:
            data[bound.html_name] = bound.value()
        for form in formset.forms:
            for bound in form:
                value = bound.value()
                if value is None or value is False:
                    continue
                data[bound.html_name] = "on" if value is True else value
    return data


def test_anonymous_is_sent_to_login(client, programme):
    response = client.get(reverse("measures:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_overview_shows_counts_matrix_and_goals(client, programme, committee_member):
    m = measure(programme, "1.1")
    goal = m.goals.first()
    Goal.objects.filter(pk=goal.pk).update(
        target_date=date(2020, 1, 1), target_open_ended=False, status=GoalStatus.OPEN
    )
    client.force_login(committee_member)
    response = client.get("/")
    assert response.status_code == 200
    overview = response.context["overview"]
    assert overview.total == 25
    assert sum(row["total"] for row in overview.group_rows) == 25
    assert [row["total"] for row in overview.group_rows] == [11, 3, 5, 6]
    assert goal.pk in [g.pk for g in overview.overdue_goals]
    cells = [m for row in overview.matrix_rows for cell in row.cells for m in cell]
    assert len(cells) == 25
    assert "★" in response.content.decode()


def test_overview_never_counts_open_ended_goals_as_overdue(client, programme, committee_member):
    goal = measure(programme, "1.2").goals.first()
    Goal.objects.filter(pk=goal.pk).update(
        target_date=date(2020, 1, 1), target_open_ended=True, status=GoalStatus.OPEN
    )
    client.force_login(committee_member)
    overview = client.get("/").context["overview"]
    assert goal.pk not in [g.pk for g in overview.overdue_goals]


def test_list_sorts_numbers_naturally(client, programme, committee_member):
    client.force_login(committee_member)
    response = client.get(
        reverse("measures:list"), {"group": programme.working_groups.get(number=1).pk}
    )
    numbers = [m["number"] for m in response.context["measures"]]
    assert numbers[:3] == ["1.1", "1.2", "1.3"]
    assert numbers.index("1.2") < numbers.index("1.10")


def test_list_filters_by_text_in_goals(client, programme, committee_member):
    client.force_login(committee_member)
    goal_text = measure(programme, "3.2").goals.first().text
    word = max(goal_text.split(), key=len)
    response = client.get(reverse("measures:list"), {"q": word})
    assert "3.2" in [m["number"] for m in response.context["measures"]]


def test_list_filters_unrated(client, programme, committee_member):
    client.force_login(committee_member)
    response = client.get(reverse("measures:list"), {"quickwin": "keine"})
    expected = set(Measure.objects.filter(quick_win="").values_list("number", flat=True))
    assert expected
    assert {m["number"] for m in response.context["measures"]} == expected


def test_list_filters_quick_wins(client, programme, committee_member):
    client.force_login(committee_member)
    response = client.get(reverse("measures:list"), {"is_quickwin": "ja"})
    expected = set(Measure.objects.quick_wins().values_list("number", flat=True))
    assert {m["number"] for m in response.context["measures"]} == expected


def test_list_sorts_by_cost_by_meaning_not_alphabet(client, programme, committee_member):
    client.force_login(committee_member)
    response = client.get(reverse("measures:list"), {"sort": "cost"})
    ratings = [m["cost_rating"] for m in response.context["measures"]]
    order = {"gering": 0, "mittel": 1, "hoch": 2, "": 3}
    assert [order[r] for r in ratings] == sorted(order[r] for r in ratings)


def test_list_answers_htmx_with_the_results_only(client, programme, committee_member):
    client.force_login(committee_member)
    response = client.get(
        reverse("measures:list"), {"status": "geplant"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert 'id="results"' in body
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_detail_shows_description_goals_ratings_and_history(client, programme, committee_member):
    m = measure(programme, "1.1")
    m.description = "Text <script>alert(1)</script>\n\n### Teil\n\n- Punkt"
    m.save()
    client.force_login(committee_member)
    response = client.get(reverse("measures:detail", args=[m.pk]))
    body = response.content.decode()
    assert "&lt;script&gt;" in body and "<script>alert" not in body
    assert "<h3>Teil</h3>" in body and "<li>Punkt</li>" in body
    assert m.goals.first().text[:30] in body
    assert "kleiner 50.000" in body or "zwischen 50.000" in body
    assert "Verlauf" in body


def test_edit_saves_measure_and_added_goal_in_one_history_entry(client, programme, editor_group_1):
    m = measure(programme, "1.4")
    goals_before = m.goals.count()
    client.force_login(editor_group_1)
    data = edit_post_data(client, m)
    data["title"] = "DMS und E-Akte (neu)"
    total = int(data["goals-TOTAL_FORMS"])
    data["goals-TOTAL_FORMS"] = str(total + 1)
    data[f"goals-{total}-text"] = "Pilotbereich angebunden"
    data[f"goals-{total}-target"] = "bis Ende 2027"
    data[f"goals-{total}-status"] = "offen"
    records_before = m.changes.count()
    response = client.post(reverse("measures:edit", args=[m.pk]), data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    m.refresh_from_db()
    assert m.title == "DMS und E-Akte (neu)"
    assert m.goals.count() == goals_before + 1
    new_goal = m.goals.get(text="Pilotbereich angebunden")
    assert new_goal.target_date == date(2027, 12, 31)
    assert m.changes.count() == records_before + 1
    record = m.changes.first()
    assert record.changed_by == editor_group_1
    assert set(record.diff) == {"title", "goals"}


def test_edit_shows_errors_next_to_the_field_and_changes_nothing(client, programme, editor_group_1):
    m = measure(programme, "1.4")
    client.force_login(editor_group_1)
    data = edit_post_data(client, m)
    data["title"] = ""
    data["goals-0-text"] = ""
    response = client.post(reverse("measures:edit", args=[m.pk]), data)
    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="id_title_error"' in body
    assert 'aria-describedby="id_title_error"' in body
    assert 'href="#id_title"' in body and 'href="#id_goals-0-text"' in body
    m.refresh_from_db()
    assert m.title == "DMS und E-Akte"


def test_stale_save_is_refused_and_shows_the_other_change(
    client, programme, editor_group_1, admin_user
):
    m = measure(programme, "1.4")
    client.force_login(editor_group_1)
    data = edit_post_data(client, m)
    measure_update(
        measure=m,
        data={"status": MeasureStatus.COMPLETED},
        expected_version=m.version,
        by=admin_user,
    )
    data["title"] = "Mein Titel"
    response = client.post(reverse("measures:edit", args=[m.pk]), data)
    assert response.status_code == 409
    body = response.content.decode()
    assert "alice" in body and "abgeschlossen" in body
    assert 'value="Mein Titel"' in body
    m.refresh_from_db()
    assert m.title == "DMS und E-Akte"
    # Saving again, having seen the change, is a deliberate overwrite.
    data["version"] = str(m.version)
    response = client.post(reverse("measures:edit", args=[m.pk]), data)
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.title == "Mein Titel"


def test_edit_adds_reorders_and_removes_kpis(client, programme, editor_group_1):
    m = measure(programme, "1.1")
    client.force_login(editor_group_1)
    data = edit_post_data(client, m)
    kpi_total = int(data["kpis-TOTAL_FORMS"])
    assert kpi_total >= 1
    data["kpis-TOTAL_FORMS"] = str(kpi_total + 1)
    data[f"kpis-{kpi_total}-name"] = "Anzahl Schulungen"
    data[f"kpis-{kpi_total}-order"] = "1"
    for index in range(kpi_total):
        data[f"kpis-{index}-order"] = str(index + 2)
    response = client.post(reverse("measures:edit", args=[m.pk]), data)
    assert response.status_code == 302
    names = list(m.kpis.order_by("order").values_list("name", flat=True))
    assert names[0] == "Anzahl Schulungen"
    data = edit_post_data(client, m)
    data["kpis-0-DELETE"] = "on"
    response = client.post(reverse("measures:edit", args=[m.pk]), data)
    assert response.status_code == 302
    assert "Anzahl Schulungen" not in m.kpis.values_list("name", flat=True)


def test_add_goal_button_without_javascript_adds_an_empty_row(client, programme, editor_group_1):
    m = measure(programme, "1.4")
    client.force_login(editor_group_1)
    data = edit_post_data(client, m)
    total = int(data["goals-TOTAL_FORMS"])
    data["add"] = "goals"
    response = client.post(reverse("measures:edit", args=[m.pk]), data)
    assert response.status_code == 200
    assert len(response.context["goals"].forms) == total + 1
    assert m.changes.count() == 1


def test_admin_restores_an_earlier_version_with_deleted_goals_and_kpis(
    client, programme, admin_user
):
    m = measure(programme, "1.1")
    # The seed records its state before adding KPIs, so take a version that holds them.
    m = measure_update(
        measure=m, data={"responsible_units": "FB 11"}, expected_version=m.version, by=admin_user
    )
    original = m.changes.first()
    assert original.state["kpis"] and original.state["goals"]
    goal_texts = sorted(m.goals.values_list("text", flat=True))
    kpi_names = sorted(m.kpis.values_list("name", flat=True))
    measure_update(
        measure=m,
        data={"title": "Anders"},
        goals=[],
        kpis=[],
        expected_version=m.version,
        by=admin_user,
    )
    client.force_login(admin_user)
    url = reverse("measures:restore", args=[m.pk, original.pk])
    preview = client.get(url)
    assert preview.status_code == 200
    m.refresh_from_db()
    assert m.title == "Anders", "the preview changes nothing"
    response = client.post(url, {"version": preview.context["preview"].version})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.title == "Bring Your Own Device (BYOD)"
    assert m.responsible_units == "FB 11"
    assert sorted(m.goals.values_list("text", flat=True)) == goal_texts
    assert sorted(m.kpis.values_list("name", flat=True)) == kpi_names
    assert m.changes.first().action == ChangeRecord.Action.RESTORED
    assert m.version == original.measure_version + 2


def test_new_measure_page_creates_a_measure(client, programme, admin_user):
    client.force_login(admin_user)
    group = programme.working_groups.get(number=2)
    response = client.post(
        reverse("measures:new"),
        {
            "version": "1",
            "number": "2.4",
            "working_group": group.pk,
            "title": "Neue Maßnahme",
            "status": "geplant",
            "goals-TOTAL_FORMS": "0",
            "goals-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert Measure.objects.filter(number="2.4", working_group=group).exists()


def test_new_measure_refuses_a_number_of_another_group(client, programme, admin_user):
    client.force_login(admin_user)
    group = programme.working_groups.get(number=2)
    response = client.post(
        reverse("measures:new"),
        {
            "version": "1",
            "number": "3.9",
            "working_group": group.pk,
            "title": "Falsch",
            "status": "geplant",
            "goals-TOTAL_FORMS": "0",
            "goals-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 422
    assert "id_number_error" in response.content.decode()
    assert not Measure.objects.filter(number="3.9").exists()


def test_english_is_selectable(client, programme, committee_member):
    client.force_login(committee_member)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("measures:list")).content.decode()
    assert '<html lang="en">' in body
    assert "Skip to content" in body and "Reset filters" in body


def test_history_names_the_groups_of_a_moved_measure(client, programme, admin_user):
    m = measure(programme, "2.3")
    group_3 = programme.working_groups.get(number=3)
    measure_update(
        measure=m,
        data={"working_group": group_3, "number": "3.9"},
        expected_version=m.version,
        by=admin_user,
    )
    client.force_login(admin_user)
    body = client.get(reverse("measures:detail", args=[m.pk])).content.decode()
    assert f"III – {group_3.name}" in body
    assert "Arbeitsgruppe" in body and "3.9" in body
