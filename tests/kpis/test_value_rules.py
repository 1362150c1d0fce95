"""KPI values as people type them, what a value may be, and which one is "the latest".

Numbers are read by `masterplan.numbers.parse_decimal` ("12.500" on a German page is 12500).
A value is refused when dated in the future or negative (unless its KPI allows negative values),
through the web and the import alike (`KPIValue.clean`). "Latest" is the last value known on a
day (`KPIValue.objects.as_of`), the same on the measure page and in the report.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kpis.models import KPI, KPIValue
from kpis.services import kpi_value_record
from reports.rendering import render_report_html
from reports.snapshot import report_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def kpi(programme):
    return KPI.objects.get(measure__number="1.2", order=1)


def add_url(kpi):
    return reverse("kpis:value_add", args=[kpi.pk])


def detail(client, kpi) -> str:
    body = client.get(reverse("measures:detail", args=[kpi.measure_id])).content.decode()
    return body[body.index(f'id="kpi-{kpi.pk}"') :]


@pytest.mark.parametrize(
    "typed, stored",
    [("12.500", "12500"), ("1.500", "1500"), ("1.234,5", "1234.5"), ("12,5", "12.5")],
)
def test_a_value_typed_the_german_way_is_stored_as_meant(
    client, kpi, editor_group_1, typed, stored
):
    client.force_login(editor_group_1)
    response = client.post(add_url(kpi), {"date": "2020-12-31", "value": typed, "note": ""})

    assert response.status_code == 302
    assert kpi.values.get().value == Decimal(stored)


def test_on_the_english_page_the_comma_groups_thousands(client, kpi, editor_group_1):
    client.force_login(editor_group_1)
    client.cookies["django_language"] = "en"
    response = client.post(add_url(kpi), {"date": "2020-12-31", "value": "12,500", "note": ""})

    assert response.status_code == 302
    assert kpi.values.get().value == Decimal("12500")


def test_the_target_value_is_read_and_shown_the_german_way(client, kpi, editor_group_1):
    from tests.measures.test_views import edit_post_data

    client.force_login(editor_group_1)
    data = edit_post_data(client, kpi.measure)
    [index] = [
        key.split("-")[1]
        for key, value in data.items()
        if key.startswith("kpis-") and key.endswith("-id") and str(value) == str(kpi.pk)
    ]
    data[f"kpis-{index}-target_value"] = "250.000"
    response = client.post(reverse("measures:edit", args=[kpi.measure_id]), data)

    assert response.status_code == 302
    kpi.refresh_from_db()
    assert kpi.target_value == Decimal("250000")
    edit_page = client.get(reverse("measures:edit", args=[kpi.measure_id])).content.decode()
    assert 'value="250.000"' in edit_page
    assert "250000,0000" not in edit_page
    assert "250.000" in detail(client, kpi)


# What a value may be -----------------------------------------------------------------------


def test_a_value_dated_in_the_future_is_refused_with_a_clear_message(client, kpi, editor_group_1):
    tomorrow = timezone.localdate() + timedelta(days=1)
    client.force_login(editor_group_1)
    response = client.post(add_url(kpi), {"date": tomorrow.isoformat(), "value": "3", "note": ""})

    assert response.status_code == 422
    assert response.context["form"].errors["date"] == [
        f"Der Stichtag {tomorrow:%d.%m.%Y} liegt in der Zukunft. "
        "Erfassen Sie einen Wert, wenn er gemessen ist."
    ]
    assert not kpi.values.exists()
    assert kpi.measure.changes.count() == 1  # only the seed's "created"


def test_a_value_dated_today_is_accepted(kpi):
    kpi_value_record(kpi=kpi, date=timezone.localdate(), value=Decimal("3"))
    assert kpi.values.get().date == timezone.localdate()


def test_a_negative_value_is_refused_unless_the_kpi_allows_it(client, kpi, editor_group_1):
    client.force_login(editor_group_1)
    response = client.post(add_url(kpi), {"date": "2020-12-31", "value": "-5", "note": ""})

    assert response.status_code == 422
    [message] = response.context["form"].errors["value"]
    assert "hat keine negativen Werte" in message and kpi.name in message
    assert not kpi.values.exists()

    KPI.objects.filter(pk=kpi.pk).update(negative_allowed=True)
    response = client.post(add_url(kpi), {"date": "2020-12-31", "value": "-5", "note": ""})

    assert response.status_code == 302
    assert kpi.values.get().value == Decimal("-5")


def test_the_service_refuses_what_the_form_refuses(kpi):
    with pytest.raises(ValidationError) as refused:
        kpi_value_record(
            kpi=kpi, date=timezone.localdate() + timedelta(days=400), value=Decimal("-1")
        )
    assert set(refused.value.message_dict) == {"date", "value"}
    assert not kpi.values.exists()


def test_editors_allow_negative_values_on_the_edit_page(client, kpi, editor_group_1):
    from tests.measures.test_views import edit_post_data

    client.force_login(editor_group_1)
    data = edit_post_data(client, kpi.measure)
    [index] = [
        key.split("-")[1]
        for key, value in data.items()
        if key.startswith("kpis-") and key.endswith("-id") and str(value) == str(kpi.pk)
    ]
    data[f"kpis-{index}-negative_allowed"] = "on"
    response = client.post(reverse("measures:edit", args=[kpi.measure_id]), data)

    assert response.status_code == 302
    kpi.refresh_from_db()
    assert kpi.negative_allowed
    kpi_value_record(kpi=kpi, date=date(2021, 12, 31), value=Decimal("-2.5"))


# "Latest" ------------------------------------------------------------------------------------


def test_the_measure_page_and_the_report_agree_on_the_latest_value(client, kpi, committee_member):
    kpi_value_record(kpi=kpi, date=date(2020, 12, 31), value=Decimal("10"))
    kpi_value_record(kpi=kpi, date=date(2021, 12, 31), value=Decimal("1500"))
    # A value dated in the future, from before the rule (written around the services).
    KPIValue.objects.create(kpi=kpi, date=date(2030, 12, 31), value=Decimal("99"))
    today = timezone.localdate()

    client.force_login(committee_member)
    block = detail(client, kpi)
    latest = block[block.index("Letzter Wert") :]
    latest = latest[: latest.index("</dd>")]
    html = render_report_html(
        report_snapshot(
            programme=kpi.measure.programme, title="Bericht", ds_number="1/2026", report_date=today
        )
    )

    assert "1.500" in latest and "31.12.2021" in latest
    assert "Stand 31.12.2021: 1.500" in html
    assert "31.12.2030" not in latest and "Stand 31.12.2030" not in html
    assert [v.date for v in KPIValue.objects.filter(kpi=kpi).as_of(today)][-1] == date(2021, 12, 31)
    # The value from the future stays listed, so it can be corrected or deleted.
    assert "31.12.2030" in block


def test_the_admin_lists_values_as_people_read_numbers_and_adds_none(client, kpi, admin_user):
    """Values change only on the measure page (through the services); the admin lists them."""
    kpi_value_record(kpi=kpi, date=date(2020, 12, 31), value=Decimal("12500"), by=admin_user)
    client.force_login(admin_user)
    assert client.get(reverse("admin:kpis_kpivalue_add")).status_code == 403
    listing = client.get(reverse("admin:kpis_kpivalue_changelist")).content.decode()
    assert "12.500" in listing and "12500,0000" not in listing
