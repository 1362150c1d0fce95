"""Celery entry points: thin, they take ids and call services. Beat's jobs of this app, too."""

from celery import shared_task

from .services import report_build, reports_watch


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def build_report_task(report_id: int) -> str | None:
    """Build one report. A redelivered message for a finished report does nothing."""
    report = report_build(report_id=report_id)
    return report.state if report else None


@shared_task(ignore_result=True)
def watch_reports_task() -> dict[str, int]:
    """Celery beat: re-send, re-queue or fail report builds past their deadline."""
    return reports_watch()
