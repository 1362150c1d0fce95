"""Every import step has a deadline: the beat watch re-sends, re-queues or fails it; a run
whose process died (its transaction rolled back) is applied again or can be discarded or
checked again; a step is never run twice at once, and only so many times."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from masterplan import jobs
from measures.models import ChangeRecord, Measure
from transfer.models import ImportRun
from transfer.services import import_run_process, import_runs_watch

from .conftest import FILES, database_dump


@pytest.fixture
def programme(small_programme):
    """Not about the seed: some programme with some measures, built from factories."""
    return small_programme


APPLYING = ImportRun.State.APPLYING


@pytest.fixture
def preview(client, programme, admin_user, media_root):
    """An uploaded file (adds measure 1.12), checked and waiting for confirmation."""
    client.force_login(admin_user)
    with open(FILES / "measures-semicolon-bom.csv", "rb") as handle:
        client.post(reverse("transfer:import"), {"programme": programme.pk, "file": handle})
    run = ImportRun.objects.get()
    assert run.state == ImportRun.State.PREVIEW
    return run


def _set(run, **fields):
    ImportRun.objects.filter(pk=run.pk).update(**fields)
    run.refresh_from_db()
    return run


def _died_while_applying(run, admin_user, *, attempts=1):
    """As left by a web or worker process killed during the apply: its transaction rolled
    back, the run still says "wird übernommen"."""
    started = timezone.now() - jobs.run_deadline() - timedelta(seconds=1)
    return _set(run, state=APPLYING, attempts=attempts, started_at=started, confirmed_by=admin_user)


def test_an_apply_whose_process_died_is_queued_again_and_applied_once(
    preview, admin_user, django_capture_on_commit_callbacks
):
    run = _died_while_applying(preview, admin_user)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert import_runs_watch()["requeued"] == 1

    assert len(callbacks) == 1
    run.refresh_from_db()
    assert run.state == APPLYING and run.started_at is None
    run = import_run_process(run_id=run.pk, state=APPLYING)
    assert run.state == ImportRun.State.APPLIED and run.attempts == 2
    record = Measure.objects.get(number="1.12").changes.get(source=ChangeRecord.Source.IMPORT)
    assert record.changed_by == admin_user


def test_an_apply_interrupted_too_often_fails_and_can_be_discarded(client, preview, admin_user):
    before = database_dump()
    run = _died_while_applying(preview, admin_user, attempts=jobs.max_attempts())

    assert import_runs_watch()["failed"] == 1

    run.refresh_from_db()
    assert run.state == ImportRun.State.FAILED
    assert f"{jobs.max_attempts()}-mal unterbrochen" in run.errors[0]["message"]
    page = client.get(reverse("transfer:run", args=[run.pk])).content.decode()
    assert "Der Import ist fehlgeschlagen" in page and "Erneut prüfen" in page
    client.post(reverse("transfer:run-discard", args=[run.pk]))
    run.refresh_from_db()
    assert run.state == ImportRun.State.CANCELLED
    assert database_dump() == before


def test_a_failed_import_can_be_checked_again_and_confirmed(client, preview, admin_user):
    run = _set(preview, state=ImportRun.State.FAILED, errors=[{"message": "weg"}])

    response = client.post(reverse("transfer:run-retry", args=[run.pk]))

    assert response.status_code == 302
    run.refresh_from_db()
    assert run.state == ImportRun.State.PREVIEW and run.errors == []
    client.post(reverse("transfer:run-confirm", args=[run.pk]))
    run.refresh_from_db()
    assert run.state == ImportRun.State.APPLIED
    assert Measure.objects.filter(number="1.12").exists()


def test_a_step_claimed_too_often_is_given_up(preview, admin_user):
    """A message delivered again and again (each delivery killed its worker) stops."""
    run = _set(
        preview,
        state=APPLYING,
        attempts=jobs.max_attempts(),
        started_at=None,
        confirmed_by=admin_user,
    )

    run = import_run_process(run_id=run.pk, state=APPLYING)

    assert run.state == ImportRun.State.FAILED
    assert "aufgegeben" in run.errors[0]["message"]
    assert not Measure.objects.filter(number="1.12").exists()


def test_a_second_message_while_another_process_applies_does_nothing(preview, admin_user):
    run = _set(
        preview, state=APPLYING, attempts=1, started_at=timezone.now(), confirmed_by=admin_user
    )

    run = import_run_process(run_id=run.pk, state=APPLYING)

    assert run.state == APPLYING and run.attempts == 1
    assert not Measure.objects.filter(number="1.12").exists()


def test_a_step_the_broker_never_got_is_sent_by_the_watch(
    preview, django_capture_on_commit_callbacks
):
    now = timezone.now()
    run = _set(
        preview,
        state=ImportRun.State.VALIDATING,
        queued_at=now - timedelta(minutes=1),
        started_at=None,
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert import_runs_watch(now=now) == {"sent": 1, "requeued": 0, "failed": 0}
        assert import_runs_watch(now=now + timedelta(seconds=1))["sent"] == 1  # still unsent

    assert len(callbacks) == 2
    _set(run, sent_at=now)
    assert import_runs_watch(now=now + timedelta(seconds=1))["sent"] == 0


def test_a_step_no_worker_took_fails_after_the_queue_deadline(preview):
    now = timezone.now()
    run = _set(
        preview,
        state=ImportRun.State.VALIDATING,
        queued_at=now - jobs.queue_deadline() - timedelta(seconds=1),
        sent_at=now - jobs.queue_deadline(),
        started_at=None,
    )

    assert import_runs_watch(now=now)["failed"] == 1

    run.refresh_from_db()
    assert run.state == ImportRun.State.FAILED
    assert "Kein Arbeitsprozess" in run.errors[0]["message"]
