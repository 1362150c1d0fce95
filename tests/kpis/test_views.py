"""Entering and deleting KPI values on the measure page, and the values table and trend chart.

Personas from tests/conftest.py. The KPI belongs to measure 1.2 of group I.
"""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from kpis.models import KPI, KPIValue
from kpis.services import kpi_value_record
from tests.conftest import FORBIDDEN, LOGIN, OK, PERSONAS, SAVED, assert_outcome, login_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def kpi(programme):
    return KPI.objects.get(measure__number="1.2", order=1)


def add_url(kpi):
    return reverse("kpis:value_add", args=[kpi.pk])


def detail(client, kpi) -> str:
    return client.get(reverse("measures:detail", args=[kpi.measure_id])).content.decode()


# Entering values --------------------------------------------------------------------------


def test_editor_adds_a_value_with_a_german_decimal_comma(client, kpi, editor_group_1):
    client.force_login(editor_group_1)
    response = client.post(
        add_url(kpi), {"date": "2020-12-31", "value": "1.234,5", "note": "Stand Jahresende"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("measures:detail", args=[kpi.measure_id]) + (
        f"#kpi-{kpi.pk}"
    )
    [value] = kpi.values.all()
    assert (value.date, value.value, value.note) == (
        date(2020, 12, 31),
        Decimal("1234.5"),
        "Stand Jahresende",
    )
    assert value.entered_by == editor_group_1
    change = kpi.measure.changes.first()
    assert change.changed_by == editor_group_1
    assert change.diff["kpis"][0]["fields"]["values"][1] == [
        {
            "date": "2020-12-31",
            "value": "1234.5",
            "note": "Stand Jahresende",
            "entered_by": editor_group_1.pk,
        }
    ]


def test_the_page_shows_the_value_in_german_with_who_entered_it(client, kpi, editor_group_1):
    client.force_login(editor_group_1)
    client.post(add_url(kpi), {"date": "31.12.2020", "value": "12,5", "note": ""})

    body = detail(client, kpi)
    assert "Der Wert 12,5 vom 31.12.2020 wurde gespeichert." in body
    table = body[body.index('class="kpi-values"') :]
    assert "31.12.2020" in table
    assert "12,5" in table
    assert "erika" in table


def test_an_invalid_value_names_the_field_and_stores_nothing(client, kpi, editor_group_1):
    client.force_login(editor_group_1)
    response = client.post(add_url(kpi), {"date": "2020-12-31", "value": "viele", "note": ""})

    assert response.status_code == 422
    form = response.context["form"]
    assert list(form.errors) == ["value"]
    body = response.content.decode()
    error_id = f"id_kpi{kpi.pk}_value_error"
    assert f'id="{error_id}"' in body
    assert re.search(rf'<input[^>]*aria-describedby="[^"]*{error_id}"', body)
    assert 'aria-invalid="true"' in body
    assert not kpi.values.exists()
    assert kpi.measure.changes.count() == 1  # only the seed's "created"


def test_a_missing_date_is_refused_next_to_the_date_field(client, kpi, editor_group_1):
    client.force_login(editor_group_1)
    response = client.post(add_url(kpi), {"date": "", "value": "3", "note": ""})

    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["date"]
    assert not kpi.values.exists()


def test_a_value_on_an_existing_date_corrects_it(client, kpi, editor_group_1):
    kpi_value_record(kpi=kpi, date=date(2021, 6, 30), value=Decimal("10"), note="geschätzt")
    client.force_login(editor_group_1)
    response = client.post(
        add_url(kpi), {"date": "2021-06-30", "value": "11,25", "note": "gezählt"}
    )

    assert response.status_code == 302
    assert [(v.date, v.value, v.note) for v in kpi.values.all()] == [
        (date(2021, 6, 30), Decimal("11.25"), "gezählt")
    ]
    old, new = kpi.measure.changes.first().diff["kpis"][0]["fields"]["values"]
    assert old == [{"date": "2021-06-30", "value": "10", "note": "geschätzt", "entered_by": None}]
    assert new == [
        {"date": "2021-06-30", "value": "11.25", "note": "gezählt", "entered_by": editor_group_1.pk}
    ]


def test_the_form_says_that_an_existing_date_is_corrected(client, kpi, editor_group_1):
    client.force_login(editor_group_1)
    assert "wird er durch den neuen Wert korrigiert" in detail(client, kpi)


def test_htmx_gets_only_the_kpi_block_back(client, kpi, editor_group_1):
    client.force_login(editor_group_1)
    response = client.post(
        add_url(kpi), {"date": "2022-01-31", "value": "7", "note": ""}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(f'<div class="kpi" id="kpi-{kpi.pk}">')
    assert "<html" not in body
    # One value is said in words, not drawn as a lone dot.
    assert "<circle" not in body
    assert "Bisher ein Wert (31.01.2022: 7)" in body
    assert kpi.values.get().value == Decimal("7")
    # The measure's version and history come along out of band, so they are not stale.
    assert '<dd id="measure-version" hx-swap-oob="true">2,' in body
    assert '<div id="measure-history" hx-swap-oob="true">' in body
    assert "Version 2" in body


def test_htmx_shows_errors_in_the_block(client, kpi, editor_group_1):
    client.force_login(editor_group_1)
    response = client.post(
        add_url(kpi), {"date": "2022-01-31", "value": "", "note": ""}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200  # htmx swaps only successful responses
    assert f'id="id_kpi{kpi.pk}_value_error"' in response.content.decode()
    assert not kpi.values.exists()


# Deleting values --------------------------------------------------------------------------


def test_delete_asks_first_then_deletes_with_history(client, kpi, editor_group_1):
    entry = kpi_value_record(kpi=kpi, date=date(2021, 1, 1), value=Decimal("3"))
    url = reverse("kpis:value_delete", args=[entry.pk])
    client.force_login(editor_group_1)

    question = client.get(url)
    assert question.status_code == 200
    assert "wirklich löschen" in question.content.decode()
    unconfirmed = client.post(url, {})
    assert unconfirmed.status_code == 200
    assert kpi.values.exists()

    response = client.post(url, {"confirmed": "1"})
    assert response.status_code == 302
    assert not kpi.values.exists()
    change = kpi.measure.changes.first()
    assert change.changed_by == editor_group_1
    assert change.diff["kpis"][0]["fields"]["values"][1] == []


# Permissions ------------------------------------------------------------------------------

WRITE = {
    "admin": SAVED,
    "editor_1": SAVED,
    "editor_2": FORBIDDEN,
    "committee": FORBIDDEN,
    "anonymous": LOGIN,
}
ASK_DELETE = WRITE | {"admin": OK, "editor_1": OK}


@pytest.mark.parametrize("persona", PERSONAS)
def test_add_value_post(client, personas, kpi, persona):
    login_as(client, personas, persona)
    response = client.post(add_url(kpi), {"date": "2020-12-31", "value": "5", "note": ""})
    assert_outcome(response, WRITE[persona])
    assert kpi.values.exists() == (WRITE[persona] == SAVED), "a refused save must change nothing"


@pytest.mark.parametrize("persona", PERSONAS)
def test_delete_value_post(client, personas, kpi, persona):
    entry = kpi_value_record(kpi=kpi, date=date(2021, 1, 1), value=Decimal("3"))
    login_as(client, personas, persona)
    response = client.post(reverse("kpis:value_delete", args=[entry.pk]), {"confirmed": "1"})
    assert_outcome(response, WRITE[persona])
    assert kpi.values.exists() == (WRITE[persona] != SAVED)


@pytest.mark.parametrize("persona", PERSONAS)
def test_delete_confirmation_page(client, personas, kpi, persona):
    entry = kpi_value_record(kpi=kpi, date=date(2021, 1, 1), value=Decimal("3"))
    login_as(client, personas, persona)
    response = client.get(reverse("kpis:value_delete", args=[entry.pk]))
    assert_outcome(response, ASK_DELETE[persona])
    assert kpi.values.exists()


@pytest.mark.parametrize("persona", ["admin", "editor_1", "editor_2", "committee"])
def test_value_buttons_only_for_those_who_may_edit(client, personas, kpi, persona):
    entry = kpi_value_record(kpi=kpi, date=date(2021, 1, 1), value=Decimal("3"))
    login_as(client, personas, persona)
    body = detail(client, kpi)
    may_edit = WRITE[persona] == SAVED
    assert (add_url(kpi) in body) == may_edit
    assert (reverse("kpis:value_delete", args=[entry.pk]) in body) == may_edit
    assert "Wert speichern" in body if may_edit else "Wert speichern" not in body
    # Everyone who reads the page sees the value itself.
    assert "01.01.2021" in body


def test_refused_editor_of_another_group_sees_why(client, kpi, editor_group_2):
    client.force_login(editor_group_2)
    response = client.post(add_url(kpi), {"date": "2020-12-31", "value": "5"})
    assert response.status_code == 403
    assert "Keine Berechtigung" in response.content.decode()


# The chart --------------------------------------------------------------------------------


def test_detail_page_draws_one_point_per_value_and_the_target(client, kpi, committee_member):
    KPI.objects.filter(pk=kpi.pk).update(target_value=Decimal("100"))
    for day, value in [
        (date(2020, 6, 30), "20"),
        (date(2020, 12, 31), "45"),
        (date(2021, 6, 30), "70"),
    ]:
        kpi_value_record(kpi=kpi, date=day, value=Decimal(value))
    client.force_login(committee_member)
    body = detail(client, kpi)

    block = body[body.index(f'id="kpi-{kpi.pk}"') :]
    chart = re.search(r'<svg[^>]*class="kpi-chart".*?</svg>', block, re.S).group(0)
    assert chart.count("<circle") == 3
    assert 'class="kpi-target"' in chart
    assert "Zielwert 100" in chart  # in the chart's text description


def test_a_kpi_without_values_shows_the_empty_state(client, kpi, committee_member):
    client.force_login(committee_member)
    body = detail(client, kpi)
    block = body[body.index(f'id="kpi-{kpi.pk}"') :]
    block = block[: block.index("</div>")]
    assert "Noch keine Werte erfasst" in block
    assert "<svg" not in block
    assert KPIValue.objects.count() == 0


# Target value and date, on the measure's edit page ------------------------------------------


def test_editor_sets_target_value_and_date_on_the_edit_page(client, kpi, editor_group_1):
    from tests.measures.test_views import edit_post_data

    client.force_login(editor_group_1)
    data = edit_post_data(client, kpi.measure)
    [index] = [
        key.split("-")[1]
        for key, value in data.items()
        if key.endswith("-id") and key.startswith("kpis-") and str(value) == str(kpi.pk)
    ]
    data[f"kpis-{index}-target_value"] = "1.500,5"
    data[f"kpis-{index}-target_date"] = "2025-12-31"
    response = client.post(reverse("measures:edit", args=[kpi.measure_id]), data)

    assert response.status_code == 302, response.context and response.context.get("errors")
    kpi.refresh_from_db()
    assert (kpi.target_value, kpi.target_date) == (Decimal("1500.5"), date(2025, 12, 31))
    kpi_value_record(kpi=kpi, date=date(2023, 12, 31), value=Decimal("700"))
    kpi_value_record(kpi=kpi, date=date(2024, 12, 31), value=Decimal("900"))
    block = detail(client, kpi)
    block = block[block.index(f'id="kpi-{kpi.pk}"') :]
    assert "1.500,5" in block and "31.12.2025" in block
    assert 'class="kpi-target"' in block
