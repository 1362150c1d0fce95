"""measure_restore: an admin brings a measure back to an earlier version."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kpis.models import KPIValue
from measures.models import ChangeRecord, Measure
from measures.services import (
    MeasureConflict,
    measure_restore,
    measure_restore_preview,
    measure_update,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(small_programme):
    """Not about the seed: some programme with some measures, built from factories."""
    return small_programme


def measure_with_full_history(number: str, by) -> Measure:
    """The seed records its state before it adds KPIs; a first edit records the full state."""
    measure = Measure.objects.get(number=number)
    return measure_update(
        measure=measure,
        data={"responsible_units": "FB 11"},
        expected_version=measure.version,
        by=by,
    )


def test_restore_recreates_deleted_goals_and_records_a_restored_change(programme, admin_user):
    measure = measure_with_full_history("2.1", admin_user)
    earlier = measure.changes.first()
    texts = sorted(measure.goals.values_list("text", flat=True))
    measure = measure_update(
        measure=measure,
        data={"status": "abgeschlossen"},
        goals=[],
        expected_version=measure.version,
        by=admin_user,
    )
    assert measure.goals.count() == 0

    record = measure_restore(measure=measure, change_record=earlier, by=admin_user)

    measure.refresh_from_db()
    assert sorted(measure.goals.values_list("text", flat=True)) == texts
    assert measure.status == earlier.state["status"]
    assert record.action == ChangeRecord.Action.RESTORED
    assert record.changed_by == admin_user
    assert measure.version == record.measure_version == earlier.measure_version + 2
    assert set(record.diff) == {"status", "goals"}


def test_restoring_the_current_state_changes_nothing(programme, admin_user):
    measure = measure_with_full_history("2.1", admin_user)
    current = measure.changes.first()
    version = measure.version
    assert measure_restore(measure=measure, change_record=current, by=admin_user) is None
    measure.refresh_from_db()
    assert measure.version == version


def test_restore_refuses_a_record_of_another_measure(programme, admin_user):
    measure = Measure.objects.get(number="2.1")
    other = Measure.objects.get(number="3.1").changes.first()
    with pytest.raises(ValueError):
        measure_restore(measure=measure, change_record=other, by=admin_user)


def test_restore_refuses_a_record_without_state(programme, admin_user):
    measure = Measure.objects.get(number="2.1")
    record = measure.changes.first()
    ChangeRecord.objects.filter(pk=record.pk).update(state={})
    record.refresh_from_db()
    with pytest.raises(ValidationError):
        measure_restore(measure=measure, change_record=record, by=admin_user)


# Values are measurements, not versions -------------------------------------------------------


def enter_five_values(measure: Measure, by) -> list:
    from kpis.services import kpi_value_record

    kpi = measure.kpis.order_by("order").first()
    return [
        kpi_value_record(kpi=kpi, date=date(2024, month, 1), value=Decimal(month * 100), by=by)
        for month in range(1, 6)
    ]


def test_restoring_version_1_keeps_the_values_entered_since_with_their_authors(
    programme, admin_user, editor_group_1
):
    measure = Measure.objects.get(number="1.1")
    version_1 = measure.changes.get(measure_version=1)
    enter_five_values(measure, editor_group_1)
    measure = measure_update(
        measure=measure,
        data={"title": "Anders"},
        expected_version=Measure.objects.get(pk=measure.pk).version,
        by=admin_user,
    )

    record = measure_restore(
        measure=measure,
        change_record=version_1,
        by=admin_user,
        expected_version=measure.version,
    )

    measure.refresh_from_db()
    assert measure.title == "Mobiles Arbeiten"
    values = KPIValue.objects.filter(kpi__measure=measure)
    assert values.count() == 5
    assert {value.entered_by for value in values} == {editor_group_1}
    assert set(record.diff) == {"title"}


def test_the_admin_may_explicitly_remove_the_values_entered_since(
    programme, admin_user, editor_group_1
):
    measure = Measure.objects.get(number="1.1")
    version_1 = measure.changes.get(measure_version=1)
    enter_five_values(measure, editor_group_1)
    measure.refresh_from_db()

    measure_restore(
        measure=measure,
        change_record=version_1,
        by=admin_user,
        expected_version=measure.version,
        remove_later=True,
    )

    assert not KPIValue.objects.filter(kpi__measure=measure).exists()


def test_a_value_deleted_since_comes_back_with_who_entered_it(
    programme, admin_user, editor_group_1
):
    from kpis.services import kpi_value_delete

    measure = Measure.objects.get(number="1.1")
    first, *_rest = enter_five_values(measure, editor_group_1)
    with_values = measure.changes.first()
    kpi_value_delete(kpi_value=first, by=admin_user)
    measure.refresh_from_db()

    measure_restore(
        measure=measure, change_record=with_values, by=admin_user, expected_version=measure.version
    )

    back = KPIValue.objects.get(kpi=first.kpi, date=first.date)
    assert (back.value, back.entered_by) == (first.value, editor_group_1)


def test_restore_refuses_when_the_measure_moved_since_the_preview(
    programme, admin_user, editor_group_1
):
    measure = Measure.objects.get(number="1.1")
    version_1 = measure.changes.get(measure_version=1)
    measure = measure_update(
        measure=measure, data={"title": "Anders"}, expected_version=1, by=admin_user
    )
    preview = measure_restore_preview(measure=measure, change_record=version_1)
    enter_five_values(measure, editor_group_1)

    with pytest.raises(MeasureConflict):
        measure_restore(
            measure=measure,
            change_record=version_1,
            by=admin_user,
            expected_version=preview.version,
        )
    measure.refresh_from_db()
    assert measure.title == "Anders"


def test_the_preview_shows_what_changes_and_changes_nothing(
    client, programme, admin_user, editor_group_1
):
    measure = Measure.objects.get(number="1.1")
    version_1 = measure.changes.get(measure_version=1)
    enter_five_values(measure, editor_group_1)
    measure.refresh_from_db()
    measure = measure_update(
        measure=measure,
        data={"title": "Anders"},
        goals=[],
        expected_version=measure.version,
        by=admin_user,
    )
    records = measure.changes.count()
    client.force_login(admin_user)

    response = client.get(reverse("measures:restore", args=[measure.pk, version_1.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Anders" in body and "Mobiles Arbeiten" in body  # the title, old → new
    assert "Ziel hinzugefügt" in body  # the goals come back
    assert "bleiben erhalten" in body and "erika" in body  # the later values and who
    assert f'name="version" value="{measure.version}"' in body
    measure.refresh_from_db()
    assert (measure.title, measure.changes.count()) == ("Anders", records)
    assert KPIValue.objects.filter(kpi__measure=measure).count() == 5


def test_confirming_needs_the_version_of_the_preview(client, programme, admin_user):
    measure = Measure.objects.get(number="1.1")
    version_1 = measure.changes.get(measure_version=1)
    measure = measure_update(
        measure=measure, data={"title": "Anders"}, expected_version=1, by=admin_user
    )
    url = reverse("measures:restore", args=[measure.pk, version_1.pk])
    client.force_login(admin_user)

    assert client.post(url).status_code == 400
    stale = client.post(url, {"version": "1"})
    assert stale.status_code == 409
    measure.refresh_from_db()
    assert measure.title == "Anders"

    done = client.post(url, {"version": str(measure.version)})
    assert done.status_code == 302
    measure.refresh_from_db()
    assert measure.title == "Mobiles Arbeiten"


def test_only_admins_see_the_preview(client, programme, editor_group_1):
    measure = Measure.objects.get(number="1.1")
    client.force_login(editor_group_1)
    url = reverse("measures:restore", args=[measure.pk, measure.changes.first().pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"version": "1"}).status_code == 403
