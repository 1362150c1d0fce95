"""The staff pages in a real headless Chromium: log in, filter, edit, conflicts, refusals."""

import re

import pytest
from playwright.sync_api import expect

from measures.models import Measure
from tests.conftest import ARTIFACTS, browser_login, csp_assert_none, csp_watch

pytestmark = pytest.mark.browser


def test_logging_in_leads_to_the_overview(page, programme, editor_group_1):
    page.goto("/massnahmen/")
    expect(page).to_have_url(re.compile(r"/konto/login/"))
    browser_login(page, "erika")
    expect(page.get_by_role("heading", level=1)).to_have_text(programme.name)
    expect(page.get_by_role("navigation", name="Hauptnavigation")).to_be_visible()
    # Editors export; importing (and the admin) is for admins only.
    expect(page.get_by_role("link", name="Import/Export")).to_have_count(0)
    expect(page.get_by_role("link", name="Export", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Administration")).to_have_count(0)


def test_wrong_password_is_refused_with_a_message(page, programme, editor_group_1):
    browser_login(page, "erika", password="falsch")
    expect(page.get_by_role("alert")).to_contain_text("Benutzername und Passwort")
    expect(page).to_have_url(re.compile(r"/konto/login/"))


def test_filtering_the_list_updates_results_and_url(page, programme, committee_member):
    browser_login(page, "lena")
    page.goto("/massnahmen/")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(25)
    page.get_by_label("Arbeitsgruppe").select_option(label="Arbeitsgruppe II")
    expect(rows).to_have_count(3)
    expect(page).to_have_url(re.compile(r"group="))
    expect(page.locator("#result-count")).to_contain_text("3 Maßnahmen")
    page.get_by_role("searchbox", name="Suche").fill("Ausbildung")
    expect(rows).to_have_count(2)
    expect(page).to_have_url(re.compile(r"q=Ausbildung"))
    page.screenshot(path=ARTIFACTS / "measure-list.png", full_page=True)
    # The filtered view is bookmarkable: loading the URL again shows the same rows.
    page.goto(page.url)
    expect(rows).to_have_count(2)
    # Sorting by a column header, then reversing it.
    page.get_by_role("link", name=re.compile("^Titel")).click()
    expect(page.locator("th[aria-sort='ascending']")).to_contain_text("Titel")
    page.get_by_role("link", name=re.compile("^Titel")).click()
    expect(page.locator("th[aria-sort='descending']")).to_contain_text("Titel")


def test_editing_a_measure_with_an_added_goal(page, programme, editor_group_1):
    measure = Measure.objects.get(number="1.4")
    goals_before = measure.goals.count()
    browser_login(page, "erika")
    page.goto(f"/massnahmen/{measure.pk}/bearbeiten/")
    page.get_by_role("button", name="Ziel hinzufügen").click()
    new_goal = page.get_by_role("group", name=f"Ziel {goals_before + 1}")
    goal_text = new_goal.get_by_role("textbox", name=re.compile("^Ziel"))
    expect(goal_text).to_be_focused()
    goal_text.fill("Alle Ämter arbeiten mit der E-Akte")
    new_goal.get_by_label("Termin wie formuliert").fill("bis Ende 2028")
    # Keyboard-usable reorder: move the new goal up one place.
    move_up = new_goal.get_by_role("button", name=f"Ziel {goals_before + 1} nach oben")
    move_up.press("Enter")
    # The moved row is renumbered: its legend and button names follow its new position.
    moved = page.get_by_role("group", name=f"Ziel {goals_before}")
    expect(moved.get_by_role("textbox", name=re.compile("^Ziel"))).to_have_value(
        "Alle Ämter arbeiten mit der E-Akte"
    )
    expect(moved.get_by_role("button", name=f"Ziel {goals_before} nach oben")).to_be_focused()
    page.screenshot(path=ARTIFACTS / "measure-edit.png", full_page=True)
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("status").first).to_contain_text("gespeichert")
    expect(page.get_by_role("heading", level=1)).to_contain_text("1.4")
    expect(page.get_by_text("Alle Ämter arbeiten mit der E-Akte").first).to_be_visible()
    goals = list(measure.goals.order_by("order").values_list("text", flat=True))
    assert len(goals) == goals_before + 1
    assert goals[-2] == "Alle Ämter arbeiten mit der E-Akte"


def test_concurrent_edit_is_refused_with_the_other_change(
    page, _playwright_browser, programme, editor_group_1, admin_user
):
    measure = Measure.objects.get(number="1.4")
    other_context = _playwright_browser.new_context(base_url=page.base_url, locale="de-DE")
    other_violations = csp_watch(other_context)
    other = other_context.new_page()
    try:
        browser_login(page, "erika")
        browser_login(other, "alice")
        page.goto(f"/massnahmen/{measure.pk}/bearbeiten/")
        other.goto(f"/massnahmen/{measure.pk}/bearbeiten/")

        other.locator("#id_status").select_option(label="abgeschlossen")
        other.get_by_role("button", name="Speichern").click()
        expect(other.get_by_role("status").first).to_contain_text("gespeichert")

        page.locator("#id_title").fill("E-Akte für alle")
        page.get_by_role("button", name="Speichern").click()
        conflict = page.locator("#conflict")
        expect(conflict).to_be_focused()
        expect(conflict).to_contain_text("alice")
        expect(conflict).to_contain_text("abgeschlossen")
        expect(page.locator("#id_title")).to_have_value("E-Akte für alle")
        measure.refresh_from_db()
        assert measure.title == "DMS und E-Akte"
        assert measure.status == "abgeschlossen"
        # The conflict page shows the other change in the form; saving again keeps it.
        expect(page.locator("#id_status")).to_have_value("abgeschlossen")
        page.get_by_role("button", name="Speichern").click()
        expect(page.get_by_role("status").first).to_contain_text("gespeichert")
        measure.refresh_from_db()
        assert (measure.title, measure.status) == ("E-Akte für alle", "abgeschlossen")
    finally:
        other_context.close()
    csp_assert_none(other_violations)


def test_editor_is_refused_on_another_groups_measure(page, programme, editor_group_1):
    other_group_measure = Measure.objects.get(number="2.1")
    browser_login(page, "erika")
    page.goto(f"/massnahmen/{other_group_measure.pk}/")
    expect(page.get_by_role("link", name="Bearbeiten")).to_have_count(0)
    response = page.goto(f"/massnahmen/{other_group_measure.pk}/bearbeiten/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Keine Berechtigung")


def test_restore_shows_a_preview_and_asks_before_it_restores(page, programme, admin_user):
    from measures.services import measure_update

    measure = Measure.objects.get(number="1.4")
    measure_update(measure=measure, data={"title": "Anders"}, expected_version=1, by=admin_user)
    browser_login(page, "alice")
    page.goto(f"/massnahmen/{measure.pk}/")

    page.get_by_role("link", name="Version 1 wiederherstellen").click()
    expect(page.get_by_role("heading", name="Was sich ändert")).to_be_visible()
    expect(page.locator("ul.diff")).to_contain_text("Anders")
    measure.refresh_from_db()
    assert measure.title == "Anders"  # only a preview so far

    page.get_by_role("button", name="Version 1 wiederherstellen").click()
    expect(page.get_by_role("status").first).to_contain_text("wiederhergestellt")
    measure.refresh_from_db()
    assert measure.title == "DMS und E-Akte"
