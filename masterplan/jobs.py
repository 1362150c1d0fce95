"""Jobs a user started (a report build, an import): handing them to the broker, and deadlines.

A job is a database row (StatusReport, ImportRun; their fields come from the abstract
`masterplan.models.Job`) with `queued_at`, `sent_at` (the last time a message for it reached
the broker), `started_at` and `attempts`. The row is the truth, the
broker message only a wake-up call, so a message may be lost or duplicated:

- `job_send` publishes without ever raising: with the broker down the request answers within a
  few seconds and the row stays queued with `sent_at` empty.
- Each app's watch task (Celery beat, every JOB_WATCH_INTERVAL seconds) re-sends jobs that no
  worker started, re-queues jobs whose process died (started longer than JOB_RUN_DEADLINE ago)
  until JOB_MAX_ATTEMPTS, and fails jobs that waited longer than JOB_QUEUE_DEADLINE, with a
  German reason. So no job stays "queued" or "running" for more than a few minutes.
- A worker claims a job under a row lock; a second message for a job that is running or
  finished does nothing.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

# A job never sent (broker down) is sent again at the next watch once it is this old, so the
# watch does not race the request that is about to send it.
UNSENT_GRACE = timedelta(seconds=5)


def job_send(task, *args) -> bool:
    """Publish a task message; False (and logged) if the broker cannot be reached."""
    try:
        task.apply_async(args=args, ignore_result=True)
    except Exception:
        logger.warning("Could not send %s%r to the broker", task.name, args, exc_info=True)
        return False
    return True


def job_send_on_commit(task, *args, mark_sent: Callable[[datetime], None]) -> None:
    """Send the task once the transaction commits, and record when it reached the broker.

    A publishing error after the commit neither raises (no 500) nor loses the job: the row
    stays queued without `sent_at`, and the watch sends it when the broker is back.
    """

    def send():
        if job_send(task, *args):
            mark_sent(timezone.now())

    transaction.on_commit(send)


def max_attempts() -> int:
    return settings.JOB_MAX_ATTEMPTS


def run_deadline() -> timedelta:
    """A job started longer ago than this has lost its process (worker or web request)."""
    return timedelta(seconds=settings.JOB_RUN_DEADLINE)


def resend_after() -> timedelta:
    return timedelta(seconds=settings.JOB_RESEND_AFTER)


def queue_deadline() -> timedelta:
    return timedelta(seconds=settings.JOB_QUEUE_DEADLINE)


def is_running_elsewhere(started_at: datetime | None, *, now: datetime) -> bool:
    """A job someone started within its deadline: another message for it must not start it."""
    return started_at is not None and started_at > now - run_deadline()


def needs_sending(*, queued_at: datetime, sent_at: datetime | None, now: datetime) -> bool:
    """A waiting job whose message never reached the broker, or reached no worker in time."""
    if sent_at is None:
        return queued_at <= now - UNSENT_GRACE
    return sent_at <= now - resend_after()


def waiting_job_watch(
    job, *, now: datetime, fail: Callable[[], None], send: Callable[[], None]
) -> str | None:
    """The deadline rule for a job waiting for a worker (`job` has `queued_at`, `sent_at`):
    failed once it waited longer than JOB_QUEUE_DEADLINE, sent again when no worker took the
    message (`needs_sending`). Returns what was done: "failed", "sent" or None."""
    if job.queued_at <= now - queue_deadline():
        fail()
        return "failed"
    if needs_sending(queued_at=job.queued_at, sent_at=job.sent_at, now=now):
        send()
        return "sent"
    return None


def jobs_watch(
    *,
    kind: str,
    job_ids,
    lock: Callable[[int], object | None],
    watch_one: Callable[..., str | None],
    now: datetime,
) -> dict[str, int]:
    """The beat watch over one kind of job: each job locked in its own transaction (`lock`
    returns None for one that is gone or finished), judged by `watch_one(job, now=...)` in the
    language of the person who asked for it (its messages are theirs to read), the outcomes
    counted and, if any, logged."""
    counts = {"sent": 0, "requeued": 0, "failed": 0}
    for job_id in job_ids:
        with transaction.atomic():
            job = lock(job_id)
            if job is None:
                continue
            with translation.override(job.language or settings.LANGUAGE_CODE):
                outcome = watch_one(job, now=now)
            if outcome:
                counts[outcome] += 1
    if any(counts.values()):
        logger.warning("%s jobs past their deadline: %s", kind, counts)
    return counts
