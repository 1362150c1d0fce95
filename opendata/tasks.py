"""Celery beat's job of this app: thin, it calls the service."""

from celery import shared_task

from .files import report_files_read


@shared_task(ignore_result=True)
def read_report_files_task() -> int:
    """Read the PDFs of newly published reports (size, SHA-512, text) for OParl."""
    return report_files_read()
