"""The edit page from the keyboard and the list's sort controls, in headless Chromium."""

import re

import pytest
from playwright.sync_api import expect

from measures.models import Measure
from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def test_enter_in_a_text_field_saves_instead_of_adding_a_goal(page, programme, editor_group_1):
    measure = Measure.objects.get(number="1.4")
    goals_before = measure.goals.count()
    browser_login(page, "erika")
    page.goto(f"/massnahmen/{measure.pk}/bearbeiten/")

    title = page.get_by_label("Titel")
    title.fill("DMS und E-Akte für alle")
    title.press("Enter")

    expect(page).to_have_url(re.compile(rf"/massnahmen/{measure.pk}/$"))
    expect(page.get_by_role("status").first).to_contain_text("gespeichert")
    measure.refresh_from_db()
    assert measure.title == "DMS und E-Akte für alle"
    assert measure.goals.count() == goals_before


def test_enter_in_a_goal_field_saves_the_goal(page, programme, editor_group_1):
    measure = Measure.objects.get(number="1.4")
    browser_login(page, "erika")
    page.goto(f"/massnahmen/{measure.pk}/bearbeiten/")

    target = page.get_by_role("group", name="Ziel 1").get_by_label("Termin wie formuliert")
    target.fill("bis Ende 2029")
    target.press("Enter")

    expect(page.get_by_role("status").first).to_contain_text("gespeichert")
    assert measure.goals.order_by("order").first().target == "bis Ende 2029"
    # The hidden default button is for Enter only: no one tabs to it or hears it.
    page.goto(f"/massnahmen/{measure.pk}/bearbeiten/")
    expect(page.get_by_role("button", name="Speichern")).to_have_count(1)


def test_descending_sorts_work_from_the_header_and_the_select(page, programme, committee_member):
    browser_login(page, "lena")
    page.goto("/massnahmen/")
    first_number = page.locator("#results tbody tr td:first-child").first

    page.get_by_role("link", name=re.compile("^Nummer")).click()  # active column: reverses

    expect(first_number).to_have_text("4.6")
    expect(page).to_have_url(re.compile(r"sort=-number"))
    page.get_by_label("Sortierung").select_option(value="-group")
    expect(page).to_have_url(re.compile(r"sort=-group"))
    expect(first_number).to_have_text("4.1")
