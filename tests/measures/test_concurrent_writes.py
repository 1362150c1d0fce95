"""Measure edits and restores at the same moment: nothing lost, one version per change.

Real concurrent requests on PostgreSQL (see tests/concurrency.py).
"""

from datetime import date

import pytest
from django.urls import reverse

from kpis.models import KPIValue
from measures.models import Measure, MeasureStatus
from measures.services import measure_update
from tests.concurrency import at_once, html_form_data, logged_in_client, postgres_only
from tests.measures.test_edit_conflicts import form_data

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]


@pytest.fixture
def programme(small_programme):
    """Not about the seed: some programme with some measures, built from factories."""
    return small_programme


def versions_since(measure: Measure, version: int) -> list[int]:
    return sorted(measure.changes.filter(measure_version__gt=version).values_list(
        "measure_version", flat=True
    ))  # fmt: skip


def test_edits_from_the_same_version_at_once_one_wins_the_others_get_the_conflict_page(
    programme, editor_group_1
):
    measure = Measure.objects.get(number="1.1")
    version = measure.version
    clients = [logged_in_client(editor_group_1) for _n in range(8)]
    forms = [
        form_data(client.get(reverse("measures:edit", args=[measure.pk])).context)
        for client in clients
    ]
    for n, data in enumerate(forms):
        data["title"] = f"Titel {n}"
    url = reverse("measures:edit", args=[measure.pk])

    responses = at_once(
        [
            lambda c=client, d=data: c.post(url, d)
            for client, data in zip(clients, forms, strict=True)
        ]
    )

    codes = sorted(response.status_code for response in responses)
    assert codes == [302] + [409] * 7
    assert versions_since(measure, version) == [version + 1]


def test_edits_of_different_fields_at_once_all_arrive_through_the_conflict_page(
    programme, editor_group_1
):
    measure = Measure.objects.get(number="1.1")
    version = measure.version
    changes = {
        "title": "Neuer Titel",
        "status": MeasureStatus.IN_PROGRESS,
        "responsible_units": "FB 11",
        "description": "Neue Beschreibung.",
    }
    clients = {name: logged_in_client(editor_group_1) for name in changes}
    url = reverse("measures:edit", args=[measure.pk])
    forms = {name: form_data(client.get(url).context) for name, client in clients.items()}

    def edit(name: str) -> int:
        data = {**forms[name], name: changes[name]}
        for _attempt in range(10):
            response = clients[name].post(url, data)
            if response.status_code != 409:
                return response.status_code
            data = html_form_data(response.content)  # the conflict page, saved again
        return 409

    codes = at_once([lambda name=name: edit(name) for name in changes])

    assert codes == [302] * len(changes)
    measure.refresh_from_db()
    assert {name: getattr(measure, name) for name in changes} == changes
    assert versions_since(measure, version) == list(range(version + 1, version + 5))


def test_a_restore_and_value_entries_at_once_lose_no_value(programme, admin_user, editor_group_1):
    measure = Measure.objects.get(number="1.1")
    first = measure.changes.get(measure_version=1)
    measure = measure_update(
        measure=measure, data={"title": "Anders"}, expected_version=1, by=admin_user
    )
    version = measure.version
    kpi = measure.kpis.order_by("order").first()
    restore_client = logged_in_client(admin_user)
    restore_url = reverse("measures:restore", args=[measure.pk, first.pk])
    preview = restore_client.get(restore_url).context["preview"]
    value_clients = [logged_in_client(editor_group_1) for _n in range(5)]
    value_url = reverse("kpis:value_add", args=[kpi.pk])

    calls = [lambda: restore_client.post(restore_url, {"version": preview.version})]
    calls += [
        lambda c=client, n=n: c.post(value_url, {"date": f"2024-0{n + 1}-01", "value": str(n)})
        for n, client in enumerate(value_clients)
    ]
    restore, *values = at_once(calls)

    assert restore.status_code in (302, 409)
    assert [response.status_code for response in values] == [302] * 5
    assert sorted(KPIValue.objects.filter(kpi=kpi).values_list("date", flat=True)) == [
        date(2024, month, 1) for month in range(1, 6)
    ]
    restored = 1 if restore.status_code == 302 else 0
    assert versions_since(measure, version) == list(range(version + 1, version + 6 + restored))


def test_two_restores_of_the_same_preview_at_once_restore_once(programme, admin_user):
    measure = Measure.objects.get(number="1.1")
    first = measure.changes.get(measure_version=1)
    measure = measure_update(
        measure=measure, data={"title": "Anders"}, expected_version=1, by=admin_user
    )
    clients = [logged_in_client(admin_user) for _n in range(2)]
    url = reverse("measures:restore", args=[measure.pk, first.pk])

    responses = at_once([lambda c=c: c.post(url, {"version": measure.version}) for c in clients])

    assert sorted(response.status_code for response in responses) == [302, 409]
    assert versions_since(measure, measure.version) == [measure.version + 1]


def test_an_edit_and_value_entries_at_once_lose_nothing(programme, editor_group_1):
    measure = Measure.objects.get(number="1.1")
    version = measure.version
    kpi = measure.kpis.order_by("order").first()
    edit_client = logged_in_client(editor_group_1)
    edit_url = reverse("measures:edit", args=[measure.pk])
    data = {**form_data(edit_client.get(edit_url).context), "title": "Neuer Titel"}
    value_clients = [logged_in_client(editor_group_1) for _n in range(5)]
    value_url = reverse("kpis:value_add", args=[kpi.pk])

    calls = [lambda: edit_client.post(edit_url, data)]
    calls += [
        lambda c=client, n=n: c.post(value_url, {"date": f"2024-0{n + 1}-01", "value": str(n)})
        for n, client in enumerate(value_clients)
    ]
    edit, *values = at_once(calls)

    # Values entered meanwhile are not on the edit page: the edit is merged, not refused.
    assert edit.status_code == 302
    assert [response.status_code for response in values] == [302] * 5
    measure.refresh_from_db()
    assert measure.title == "Neuer Titel"
    assert KPIValue.objects.filter(kpi=kpi).count() == 5
    assert versions_since(measure, version) == list(range(version + 1, version + 7))
