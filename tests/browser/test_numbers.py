"""Numbers typed in a real Chromium: "2,5" stays 2,5 (an <input type=number> made it 25)."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from measures.models import Measure
from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def test_an_estimate_typed_with_a_decimal_comma_is_stored_as_typed(page, programme, editor_group_1):
    measure = Measure.objects.get(number="1.4")
    browser_login(page, "erika")
    page.goto(f"/massnahmen/{measure.pk}/bearbeiten/")

    personnel = page.get_by_label("Personalbedarf (VZV)")
    personnel.fill("")
    personnel.press_sequentially("2,5")
    cost = page.get_by_label("Kostenschätzung (€)")
    cost.fill("")
    cost.press_sequentially("1.000.000")
    page.get_by_role("button", name="Speichern").click()

    expect(page.get_by_role("status").first).to_contain_text("gespeichert")
    measure.refresh_from_db()
    assert measure.personnel_estimate == Decimal("2.5")
    assert measure.cost_estimate == Decimal("1000000")
