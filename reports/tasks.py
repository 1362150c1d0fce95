"""Celery entry points: thin, they take ids and call services."""

from celery import shared_task

from .services import report_build, reports_fail_stale


@shared_task(acks_late=True, reject_on_worker_lost=True)
def build_report_task(report_id: int) -> str | None:
    """Build one report. A redelivered message for a finished report does nothing."""
    report = report_build(report_id=report_id)
    return report.state if report else None


@shared_task
def fail_stale_reports_task() -> int:
    """Celery beat: give up reports whose worker died without the task being delivered again."""
    return reports_fail_stale()
