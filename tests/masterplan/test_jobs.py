"""The Celery wiring of jobs: beat's tasks are found without CELERY_IMPORTS, deadlines fit
together, and pool processes are bounded in memory. Faults: tests/*/test_faults.py."""

from django.conf import settings

from masterplan.celery import app


def test_every_beat_task_is_registered_by_autodiscovery():
    assert not hasattr(settings, "CELERY_IMPORTS")
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]
    watched = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"reports.tasks.watch_reports_task", "transfer.tasks.watch_imports_task"} <= watched


def test_the_watch_runs_well_within_the_run_deadline():
    """So an overdue job is re-queued or failed within a few minutes."""
    assert settings.JOB_WATCH_INTERVAL < settings.JOB_RUN_DEADLINE <= 10 * 60
    assert settings.JOB_RUN_DEADLINE > settings.CELERY_TASK_TIME_LIMIT


def test_pool_processes_are_replaced_above_the_memory_limit():
    assert app.conf.worker_max_memory_per_child == settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD
    assert app.conf.worker_max_memory_per_child > 0
