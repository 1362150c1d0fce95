"""Public pages are cached and revalidated: ETag and Last-Modified, 304 on a conditional GET,
and a new version (new ETag, fresh content) as soon as something public changes."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from kpis.models import KPI
from kpis.services import kpi_value_record
from masterplan.models import Programme
from measures.models import Measure
from measures.services import measure_update, measures_apply_bulk
from public.cache import public_version
from reports.services import report_publish, report_withdraw
from rounds.models import StatusUpdate, TrafficLight, UpdateAction
from rounds.services import round_create, round_open, update_save, update_transition

from .helpers import done_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def measure_url(public_programme):
    return reverse("public:measure", args=[public_programme.pk, "1.1"])


def test_a_page_carries_etag_and_last_modified(client, measure_url):
    response = client.get(measure_url)
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"].endswith("GMT")
    assert "Accept-Language" in response["Vary"] and "Cookie" in response["Vary"]


def test_a_conditional_get_with_the_etag_is_answered_304(client, measure_url):
    etag = client.get(measure_url)["ETag"]
    response = client.get(measure_url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_a_conditional_get_with_the_date_is_answered_304(client, measure_url):
    last_modified = client.get(measure_url)["Last-Modified"]
    assert client.get(measure_url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304


def test_the_etag_differs_per_language_and_page(client, public_programme, measure_url):
    german = client.get(measure_url)["ETag"]
    english = client.get(measure_url, HTTP_ACCEPT_LANGUAGE="en")["ETag"]
    other = client.get(reverse("public:measure", args=[public_programme.pk, "1.2"]))["ETag"]
    assert len({german, english, other}) == 3
    response = client.get(measure_url, HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=german)
    assert response.status_code == 200


def test_a_cached_page_costs_one_query(client, measure_url, django_assert_num_queries):
    first = client.get(measure_url)
    with django_assert_num_queries(1):  # the public data version
        second = client.get(measure_url)
    assert second.content == first.content


def _approve_1_1(programme, admin_user, achieved):
    round_ = round_open(
        round=round_create(
            programme=programme,
            name="Sachstand 3/2026",
            reporting_date=date(2026, 9, 30),
            update_deadline=date(2026, 10, 15),
            review_deadline=date(2026, 10, 31),
        ),
        by=admin_user,
    )
    update = StatusUpdate.objects.get(round=round_, measure__number="1.1")
    update = update_save(
        update=update,
        data={"traffic_light": TrafficLight.ON_TRACK, "achieved": achieved},
        expected_version=update.version,
        by=admin_user,
    )
    update = update_transition(update=update, action=UpdateAction.SUBMIT, by=admin_user)
    return update_transition(update=update, action=UpdateAction.APPROVE, by=admin_user)


def test_an_approval_shows_at_once_and_changes_the_etag(
    client, public_programme, admin_user, measure_url, django_capture_on_commit_callbacks
):
    before = client.get(measure_url)
    with django_capture_on_commit_callbacks(execute=True):
        _approve_1_1(public_programme, admin_user, "Frisch freigegeben.")
    after = client.get(measure_url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert "Frisch freigegeben." in after.content.decode()


def _bumps(callbacks, change) -> bool:
    before = public_version().number
    with callbacks(execute=True):
        change()
    return public_version().number > before


def _edit(measure, by, **data):
    fields = {"title": measure.title, "description": measure.description, **data}
    return lambda: measure_update(
        measure=measure, data=fields, expected_version=measure.version, by=by
    )


def test_what_bumps_the_public_version(
    public_programme, admin_user, django_capture_on_commit_callbacks
):
    bumps = lambda change: _bumps(django_capture_on_commit_callbacks, change)  # noqa: E731
    measure = Measure.objects.get(programme=public_programme, number="1.2")
    assert bumps(_edit(measure, admin_user, title="Neuer Titel"))
    kpi = KPI.objects.create(measure=measure, name="Zähler")
    assert bumps(lambda: kpi_value_record(kpi=kpi, date=date(2026, 1, 1), value=Decimal(3)))
    assert bumps(
        lambda: measures_apply_bulk(
            programme=public_programme,
            creates=[],
            updates={"1.3": {"title": "Importiert"}},
            by=admin_user,
        )
    )
    assert bumps(lambda: _approve_1_1(public_programme, admin_user, "Erreicht."))
    report = done_report(public_programme)
    assert bumps(lambda: report_publish(report=report, by=admin_user))
    assert bumps(lambda: report_withdraw(report=report, by=admin_user))


def test_a_programme_not_public_bumps_nothing(
    programme, admin_user, django_capture_on_commit_callbacks
):
    measure = Measure.objects.get(programme=programme, number="1.2")
    assert not _bumps(django_capture_on_commit_callbacks, _edit(measure, admin_user, title="X"))


def test_switching_a_programme_public_in_the_admin_bumps_and_shows_it(
    client, admin_user, programme, django_capture_on_commit_callbacks
):
    url = reverse("public:overview", args=[programme.pk])
    assert client.get(url).status_code == 404
    admin = client.__class__()
    admin.force_login(admin_user)
    form = admin.get(reverse("admin:masterplan_programme_change", args=[programme.pk]))
    assert 'name="is_public"' in form.content.decode()
    data = {
        "name": programme.name,
        "organisation": programme.organisation,
        "numbering_note": programme.numbering_note,
        "is_public": "on",
        "working_groups-TOTAL_FORMS": "0",
        "working_groups-INITIAL_FORMS": "0",
    }
    before = public_version().number
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("admin:masterplan_programme_change", args=[programme.pk]), data
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Programme.objects.get(pk=programme.pk).is_public
    assert public_version().number > before
    assert client.get(url).status_code == 200


def test_a_legend_change_in_the_admin_bumps(
    public_programme, admin_user, rf, django_capture_on_commit_callbacks
):
    from django.contrib import admin

    from masterplan.models import RatingLevel

    level = RatingLevel.objects.filter(scale__programme=public_programme).first()
    level.definition = "neu definiert"
    request = rf.post("/")
    request.user = admin_user
    model_admin = admin.site._registry[RatingLevel]
    assert _bumps(
        django_capture_on_commit_callbacks,
        lambda: model_admin.save_model(request, level, form=None, change=True),
    )
