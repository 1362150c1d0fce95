"""The Django admin writes measures only through the services; the history is append-only."""

import pytest
from django.urls import reverse

from kpis.models import KPI, KPIValue
from measures.models import ChangeRecord, Goal, Measure
from measures.services import measure_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(small_programme):
    """Not about the seed: some programme with some measures, built from factories."""
    return small_programme


def change_form_data(client, measure: Measure) -> dict:
    """The admin's change form as the browser would submit it unchanged."""
    response = client.get(reverse("admin:measures_measure_change", args=[measure.pk]))
    assert response.status_code == 200
    data = {}
    for bound in response.context["adminform"].form:
        value = bound.value()
        if value is not None:
            data[bound.html_name] = value
    for inline in response.context["inline_admin_formsets"]:
        for bound in inline.formset.management_form:
            data[bound.html_name] = bound.value()
    return data


def test_admin_save_goes_through_the_history_and_bumps_the_version(client, programme, admin_user):
    measure = Measure.objects.get(number="1.1")
    version = measure.version
    client.force_login(admin_user)
    data = change_form_data(client, measure)
    data["title"] = "Mobiles Arbeiten (Admin)"

    response = client.post(reverse("admin:measures_measure_change", args=[measure.pk]), data)

    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.title == "Mobiles Arbeiten (Admin)"
    assert measure.version == version + 1
    record = measure.changes.first()
    assert (record.source, record.changed_by, record.measure_version) == (
        ChangeRecord.Source.ADMIN,
        admin_user,
        version + 1,
    )
    assert record.diff["title"] == ["Mobiles Arbeiten", "Mobiles Arbeiten (Admin)"]


def test_admin_save_of_unchanged_form_records_nothing(client, programme, admin_user):
    measure = Measure.objects.get(number="1.1")
    client.force_login(admin_user)
    data = change_form_data(client, measure)
    records = measure.changes.count()

    response = client.post(reverse("admin:measures_measure_change", args=[measure.pk]), data)

    assert response.status_code == 302
    assert measure.changes.count() == records


def test_admin_save_based_on_a_stale_version_is_refused_with_a_message(
    client, programme, admin_user, editor_group_1
):
    measure = Measure.objects.get(number="1.1")
    client.force_login(admin_user)
    data = change_form_data(client, measure)
    measure_update(
        measure=measure,
        data={"title": "Titel der Redaktion"},
        expected_version=measure.version,
        by=editor_group_1,
    )
    data["title"] = "Titel aus der Administration"

    response = client.post(reverse("admin:measures_measure_change", args=[measure.pk]), data)

    assert response.status_code == 200
    body = response.content.decode()
    assert "inzwischen geändert" in body and "erika" in body
    measure.refresh_from_db()
    assert measure.title == "Titel der Redaktion"
    assert measure.changes.first().changed_by == editor_group_1


def test_admin_creates_a_measure_with_a_created_entry(client, programme, admin_user):
    client.force_login(admin_user)
    group = programme.working_groups.get(number=3)
    response = client.get(reverse("admin:measures_measure_add"))
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        for bound in inline.formset.management_form:
            data[bound.html_name] = bound.value()
    data.update(
        programme=programme.pk,
        working_group=group.pk,
        number="3.99",
        title="Neue Maßnahme aus der Administration",
        status="geplant",
    )

    response = client.post(reverse("admin:measures_measure_add"), data)

    assert response.status_code == 302
    measure = Measure.objects.get(number="3.99")
    [record] = measure.changes.all()
    assert (record.action, record.source) == (
        ChangeRecord.Action.CREATED,
        ChangeRecord.Source.ADMIN,
    )


@pytest.mark.parametrize(
    "model, lookup",
    [
        (Goal, {"measure__number": "1.1"}),
        (KPI, {"measure__number": "1.2"}),
        (ChangeRecord, {"measure__number": "1.1"}),
    ],
)
def test_goals_kpis_and_history_are_read_only_in_the_admin(
    client, programme, admin_user, model, lookup
):
    obj = model.objects.filter(**lookup).first()
    opts = model._meta
    client.force_login(admin_user)
    change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])

    assert client.get(change_url).status_code == 200  # shown
    assert client.post(change_url, {}).status_code == 403
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403
    delete_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_kpi_values_are_read_only_in_the_admin(client, programme, admin_user):
    kpi = KPI.objects.get(measure__number="1.2", order=1)
    value = KPIValue.objects.create(kpi=kpi, date="2021-01-01", value=1)
    client.force_login(admin_user)

    response = client.post(reverse("admin:kpis_kpivalue_change", args=[value.pk]), {"value": "2"})

    assert response.status_code == 403
    value.refresh_from_db()
    assert value.value == 1


def test_the_history_has_no_delete_action_and_measures_cannot_be_deleted(
    client, programme, admin_user
):
    client.force_login(admin_user)
    changelist = client.get(reverse("admin:measures_changerecord_changelist"))
    assert changelist.status_code == 200
    assert "delete_selected" not in changelist.content.decode()
    records = ChangeRecord.objects.count()

    response = client.post(
        reverse("admin:measures_changerecord_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": list(ChangeRecord.objects.values_list("pk", flat=True)),
            "post": "yes",
        },
    )

    assert ChangeRecord.objects.count() == records
    assert response.status_code in (200, 302)
    measure = Measure.objects.get(number="1.1")
    delete = client.post(
        reverse("admin:measures_measure_delete", args=[measure.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert Measure.objects.filter(pk=measure.pk).exists()
