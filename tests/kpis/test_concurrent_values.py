"""KPI values entered and deleted at the same moment: nothing lost, one version per change.

Real concurrent requests on PostgreSQL (see tests/concurrency.py).
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from kpis.models import KPI, KPIValue
from kpis.services import kpi_value_record
from tests.concurrency import at_once, logged_in_client, postgres_only

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]


@pytest.fixture
def kpi(programme):
    return KPI.objects.get(measure__number="1.2", order=1)


def new_records(measure, since_version: int):
    return list(measure.changes.filter(measure_version__gt=since_version).order_by("id"))


def test_values_entered_at_once_each_get_their_own_version(kpi, editor_group_1):
    measure = kpi.measure
    version = measure.version
    days = [date(2021, month, 1) for month in range(1, 9)]
    clients = [logged_in_client(editor_group_1) for _day in days]
    url = reverse("kpis:value_add", args=[kpi.pk])

    responses = at_once(
        [
            lambda client=client, day=day: client.post(
                url, {"date": day.isoformat(), "value": str(day.month), "note": ""}
            )
            for client, day in zip(clients, days, strict=True)
        ]
    )

    assert [response.status_code for response in responses] == [302] * len(days)
    assert sorted(kpi.values.values_list("date", flat=True)) == days
    records = new_records(measure, version)
    assert sorted(r.measure_version for r in records) == list(
        range(version + 1, version + len(days) + 1)
    )
    measure.refresh_from_db()
    assert measure.version == version + len(days)
    # Each entry describes exactly one new value, and the last state holds all of them.
    for record in records:
        [change] = record.diff["kpis"]
        old, new = change["fields"]["values"]
        assert len(new) == len(old) + 1
    last = max(records, key=lambda r: r.measure_version)
    [last_kpi] = [item for item in last.state["kpis"] if item["id"] == kpi.pk]
    assert len(last_kpi["values"]) == len(days)


def test_ten_entries_for_the_same_date_give_one_value_and_no_error(kpi, editor_group_1):
    measure = kpi.measure
    version = measure.version
    clients = [logged_in_client(editor_group_1) for _n in range(10)]
    url = reverse("kpis:value_add", args=[kpi.pk])

    responses = at_once(
        [
            lambda client=client, n=n: client.post(
                url, {"date": "2021-06-30", "value": str(100 + n), "note": f"Eingabe {n}"}
            )
            for n, client in enumerate(clients)
        ]
    )

    assert [response.status_code for response in responses] == [302] * 10
    [value] = kpi.values.all()
    assert value.value in {Decimal(100 + n) for n in range(10)}
    records = new_records(measure, version)
    assert len(records) == 10
    assert len({r.measure_version for r in records}) == 10
    # The last entry in the history is the value that stayed.
    last = max(records, key=lambda r: r.measure_version)
    [last_kpi] = [item for item in last.state["kpis"] if item["id"] == kpi.pk]
    assert [v["value"] for v in last_kpi["values"]] == [format(value.value.normalize(), "f")]


def test_values_deleted_at_once_each_get_their_own_version(kpi, editor_group_1):
    values = [
        kpi_value_record(kpi=kpi, date=date(2020, month, 1), value=Decimal(month))
        for month in range(1, 7)
    ]
    measure = kpi.measure
    measure.refresh_from_db()
    version = measure.version
    clients = [logged_in_client(editor_group_1) for _value in values]

    responses = at_once(
        [
            lambda client=client, value=value: client.post(
                reverse("kpis:value_delete", args=[value.pk]), {"confirmed": "1"}
            )
            for client, value in zip(clients, values, strict=True)
        ]
    )

    assert [response.status_code for response in responses] == [302] * len(values)
    assert not kpi.values.exists()
    records = new_records(measure, version)
    assert sorted(r.measure_version for r in records) == list(
        range(version + 1, version + len(values) + 1)
    )


def test_one_value_deleted_twice_at_once_is_one_change(kpi, editor_group_1):
    value = kpi_value_record(kpi=kpi, date=date(2020, 3, 1), value=Decimal(3))
    measure = kpi.measure
    measure.refresh_from_db()
    version = measure.version
    clients = [logged_in_client(editor_group_1) for _n in range(4)]
    url = reverse("kpis:value_delete", args=[value.pk])

    responses = at_once(
        [lambda client=client: client.post(url, {"confirmed": "1"}) for client in clients]
    )

    assert all(response.status_code < 500 for response in responses)
    assert not KPIValue.objects.filter(pk=value.pk).exists()
    assert len(new_records(measure, version)) == 1
