"""Celery tasks for large imports: thin wrappers that load the run and call the services."""

import logging

from celery import shared_task
from django.contrib.auth import get_user_model

from .models import ImportRun
from .services import import_plan_apply, import_run_fail, import_run_validate

logger = logging.getLogger(__name__)


@shared_task
def validate_import_task(run_id: int) -> str:
    run = ImportRun.objects.select_related("programme").get(pk=run_id)
    try:
        return import_run_validate(run=run).state
    except Exception:
        logger.exception("Checking import %s failed", run_id)
        import_run_fail(run_id=run_id, error="Die Prüfung ist unerwartet abgebrochen.")
        raise


@shared_task
def apply_import_task(run_id: int, user_id: int | None = None) -> str:
    run = ImportRun.objects.select_related("programme").get(pk=run_id)
    by = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    try:
        return import_plan_apply(run=run, by=by).state
    except Exception:
        logger.exception("Applying import %s failed", run_id)
        import_run_fail(run_id=run_id, error="Die Übernahme ist unerwartet abgebrochen.")
        raise
