"""Celery tasks for large imports: thin wrappers that call the services with the run's id.

`import_run_process` never lets an error out (not even MemoryError, which would take the
whole worker down and have the broker deliver the message again, a crash loop): the run ends
failed with a German message instead.
"""

from celery import shared_task

from .models import ImportRun
from .services import import_run_process, import_runs_watch


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def validate_import_task(run_id: int) -> str | None:
    run = import_run_process(run_id=run_id, state=ImportRun.State.VALIDATING)
    return run.state if run else None


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def apply_import_task(run_id: int, user_id: int | None = None) -> str | None:
    """Apply a confirmed import as the run's `confirmed_by`; `user_id` is unused (kept so a
    message sent by an older version is still accepted)."""
    run = import_run_process(run_id=run_id, state=ImportRun.State.APPLYING)
    return run.state if run else None


@shared_task(ignore_result=True)
def watch_imports_task() -> dict[str, int]:
    """Celery beat: re-send, re-queue or fail import steps past their deadline."""
    return import_runs_watch()
