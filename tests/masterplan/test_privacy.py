"""Data protection (LPVG NRW §72): with PSEUDONYMISE_NAMES on, only admins see who changed,
entered, approved or requested something; everyone else sees a stable pseudonym (and their own
name). Retention: login records and e-mail logs older than the limit are pruned by beat."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from kpis.models import KPI
from kpis.services import kpi_value_record
from masterplan.privacy import person_name, pseudonym
from masterplan.retention import personal_data_prune
from measures.models import Measure
from measures.services import measure_update
from reports.services import report_request
from rounds.models import Notification, NotificationKind, StatusUpdate, UpdateAction
from rounds.services import round_create, round_open, update_save, update_transition
from tests.masterplan.test_crawl import crawl, lived_in_programme  # noqa: F401 (a fixture)


@pytest.fixture
def programme(small_programme):
    """Not about the seed: some programme with some measures, built from factories."""
    return small_programme


@pytest.fixture
def pseudonymised(settings):
    settings.PSEUDONYMISE_NAMES = True


@pytest.fixture
def erika_worked_everywhere(programme, editor_group_1, lead_group_1, admin_user, committee_member):
    """Erika (editor, group I) changed measure 1.1, entered a KPI value and submitted the
    round's status update, Lars (lead) approved it, Lena (committee) requested a report."""
    measure = Measure.objects.get(number="1.1")
    measure_update(
        measure=measure,
        data={"title": "E-Akte überall"},
        expected_version=measure.version,
        by=editor_group_1,
    )
    kpi = KPI.objects.filter(measure__number="1.2").first()
    kpi_value_record(kpi=kpi, date=date(2026, 6, 30), value=Decimal("12"), by=editor_group_1)
    round_ = round_create(
        programme=programme,
        name="Sachstand 1/2027",
        reporting_date=date(2027, 3, 31),
        update_deadline=date(2027, 4, 15),
        review_deadline=date(2027, 4, 30),
    )
    round_open(round=round_, by=admin_user)
    update = StatusUpdate.objects.get(round=round_, measure__number="1.1")
    data = {"traffic_light": "im_plan", "achieved": "Konzept abgestimmt.", "next_steps": "Pilot"}
    update = update_save(
        update=update, data=data, expected_version=update.version, by=editor_group_1
    )
    update = update_transition(update=update, action=UpdateAction.SUBMIT, by=editor_group_1)
    update_transition(update=update, action=UpdateAction.APPROVE, by=lead_group_1, comment="ok")
    report = report_request(
        programme=programme,
        title="Sachstand",
        ds_number="1/27",
        report_date=date(2027, 3, 31),
        by=committee_member,
        enqueue=False,
    )
    return {"measure": measure, "kpi_measure": kpi.measure, "update": update, "report": report}


def pages(work):
    return [
        f"/massnahmen/{work['measure'].pk}/",  # history
        f"/massnahmen/{work['kpi_measure'].pk}/",  # KPI values with their author
        f"/runden/meldung/{work['update'].pk}/",  # status-update events
        "/berichte/",  # who requested a report
        f"/berichte/{work['report'].pk}/",
    ]


def test_others_see_pseudonyms_instead_of_names(
    client, pseudonymised, erika_worked_everywhere, editor_group_2
):
    erika = User.objects.get(username="erika")
    client.force_login(editor_group_2)

    shown = "".join(client.get(url).text for url in pages(erika_worked_everywhere))

    for name in ("erika", "lars", "lena"):
        assert name not in shown
    assert pseudonym(erika) in shown
    assert pseudonym(User.objects.get(username="lars")) in shown
    assert pseudonym(User.objects.get(username="lena")) in shown


def test_admins_see_the_names(client, pseudonymised, erika_worked_everywhere, admin_user):
    client.force_login(admin_user)

    shown = "".join(client.get(url).text for url in pages(erika_worked_everywhere))

    for name in ("erika", "lars", "lena"):
        assert name in shown
    assert "Person " not in shown


def test_everyone_sees_their_own_name(client, pseudonymised, erika_worked_everywhere):
    erika = User.objects.get(username="erika")
    client.force_login(erika)

    history = client.get(f"/massnahmen/{erika_worked_everywhere['measure'].pk}/").text

    assert "erika" in history
    assert pseudonym(erika) not in history


def test_without_the_setting_everyone_sees_the_names(
    client, settings, erika_worked_everywhere, editor_group_2
):
    settings.PSEUDONYMISE_NAMES = False
    client.force_login(editor_group_2)

    shown = "".join(client.get(url).text for url in pages(erika_worked_everywhere))

    for name in ("erika", "lars", "lena"):
        assert name in shown


def test_a_pseudonym_is_stable_distinct_and_reveals_nothing(
    pseudonymised, editor_group_1, editor_group_2, committee_member
):
    erika, emil = editor_group_1, editor_group_2
    erika.first_name, erika.last_name = "Erika", "Mustermann"

    assert person_name(erika, committee_member) == person_name(erika, emil) == pseudonym(erika)
    assert pseudonym(erika) != pseudonym(emil)
    assert "erika" not in pseudonym(erika).lower() and str(erika.pk) not in pseudonym(erika)
    assert person_name(None, committee_member) == ""
    assert person_name(erika, None) == person_name(erika, "") == pseudonym(erika)


NOW = timezone.make_aware(timezone.datetime(2026, 11, 25, 4, 0))


def test_retention_deletes_old_email_logs_and_clears_old_login_times(
    settings, programme, editor_group_1, editor_group_2
):
    settings.PERSONAL_DATA_RETENTION_DAYS = 90
    round_ = round_create(
        programme=programme,
        name="R",
        reporting_date=date(2026, 3, 31),
        update_deadline=date(2026, 4, 15),
        review_deadline=date(2026, 4, 30),
    )
    old, recent = (
        Notification.objects.create(
            recipient=editor_group_1,
            email="erika@example.org",
            kind=NotificationKind.REMINDER,
            round=round_,
            sent_on=day.date(),
        )
        for day in (NOW - timedelta(days=91), NOW - timedelta(days=89))
    )
    Notification.objects.filter(pk=old.pk).update(sent_at=NOW - timedelta(days=91))
    Notification.objects.filter(pk=recent.pk).update(sent_at=NOW - timedelta(days=89))
    User.objects.filter(pk=editor_group_1.pk).update(last_login=NOW - timedelta(days=100))
    User.objects.filter(pk=editor_group_2.pk).update(last_login=NOW - timedelta(days=3))

    counts = personal_data_prune(now=NOW)

    assert list(Notification.objects.values_list("pk", flat=True)) == [recent.pk]
    assert User.objects.get(pk=editor_group_1.pk).last_login is None
    assert User.objects.get(pk=editor_group_2.pk).last_login == NOW - timedelta(days=3)
    assert User.objects.filter(pk=editor_group_1.pk).exists()  # the account stays
    assert counts["rounds.Notification"] == 1
    assert counts["auth.User"] == 1


def test_retention_deletes_expired_sessions_only(db):
    Session.objects.create(session_key="old", session_data="", expire_date=NOW - timedelta(1))
    Session.objects.create(session_key="live", session_data="", expire_date=NOW + timedelta(1))

    personal_data_prune(now=NOW)

    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]


def test_retention_prunes_any_model_in_its_list_and_skips_absent_apps(db, admin_user):
    """The list is generic: the lockout's attempt logs join it by name (axes.AccessLog …)."""
    User.objects.filter(pk=admin_user.pk).update(date_joined=NOW - timedelta(days=10))

    counts = personal_data_prune(
        now=NOW,
        days=5,
        rules=[("auth.User", "date_joined", "delete"), ("absent.Model", "at", "delete")],
    )

    assert counts["auth.User"] == 1
    assert "absent.Model" not in counts
    assert not User.objects.exists()


def test_retention_refuses_an_unknown_action_and_changes_nothing(db, admin_user):
    User.objects.filter(pk=admin_user.pk).update(last_login=NOW - timedelta(days=400))

    with pytest.raises(ValueError, match="auth.User"):
        personal_data_prune(
            now=NOW,
            rules=[("auth.User", "last_login", "clear"), ("auth.User", "last_login", "shred")],
        )

    assert User.objects.get(pk=admin_user.pk).last_login == NOW - timedelta(days=400)


def test_beat_runs_the_retention_daily(settings):
    from celery.schedules import crontab

    from masterplan.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["personal-data-retention"]
    assert entry["task"] == "masterplan.tasks.prune_personal_data_task"
    assert isinstance(entry["schedule"], crontab)
    app.loader.import_default_modules()
    assert "masterplan.tasks.prune_personal_data_task" in app.tasks


class RecordingClient(Client):
    """A test client that keeps every HTML page it fetched (path → text)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pages: dict[str, str] = {}

    def get(self, path, *args, **kwargs):
        response = super().get(path, *args, **kwargs)
        if "text/html" in response.get("Content-Type", ""):
            self.pages[path] = response.content.decode()
        return response


@pytest.mark.usefixtures("lived_in_programme")
def test_no_page_the_committee_can_reach_names_anyone_else(
    pseudonymised, committee_member, admin_user
):
    """The crawl of tests/masterplan/test_crawl.py through the lived-in programme (alice the
    admin, erika the editor and lars the lead worked in it): lena sees none of their names."""
    client = RecordingClient(raise_request_exception=False)
    client.force_login(committee_member)

    crawl(client)

    names = re.compile(r"\b(alice|erika|lars)\b", re.IGNORECASE)
    leaks = [
        f"{path}: {found.group(0)}"
        for path, text in client.pages.items()
        if (found := names.search(text))
    ]
    assert not leaks, "\n".join(leaks)
    assert any(pseudonym(admin_user) in text for text in client.pages.values())
