"""Retention of personal data: records about people are kept PERSONAL_DATA_RETENTION_DAYS.

`PERSONAL_DATA_RETENTION` lists what is pruned, as (model, date field, action): "delete" the
rows older than the limit, or "clear" their date field (the row stays, the record of when is
gone). A model that is not installed is skipped, so the list may name the models of apps that
come and go (django-axes). Expired sessions are deleted too. A daily beat task runs it
(`masterplan.tasks.prune_personal_data_task`); docs/datenschutz.md lists what is kept how long.
"""

import logging
from datetime import datetime, timedelta
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

ACTIONS = ("delete", "clear")


def personal_data_prune(
    *, now: datetime | None = None, days: int | None = None, rules=None
) -> dict[str, int]:
    """Delete or anonymise what the rules name and is older than `days`; returns the counts
    ("rounds.Notification": 3, …; "sessions.Session": expired sessions deleted)."""
    now = now or timezone.now()
    days = settings.PERSONAL_DATA_RETENTION_DAYS if days is None else days
    rules = settings.PERSONAL_DATA_RETENTION if rules is None else rules
    cutoff = now - timedelta(days=days)
    counts: dict[str, int] = {}
    with transaction.atomic():
        for label, field, action in rules:
            if action not in ACTIONS:
                raise ValueError(f"PERSONAL_DATA_RETENTION: {label}: unknown action {action!r}")
            try:
                model = apps.get_model(label)
            except LookupError:
                continue  # the app is not installed here
            old = model._default_manager.filter(**{f"{field}__lt": cutoff})
            if action == "delete":
                counts[label] = old.delete()[1].get(model._meta.label, 0)
            else:
                counts[label] = old.update(**{field: None})
    counts["sessions.Session"] = _expired_sessions_delete(now)
    logger.info("Personal data older than %s days pruned: %s", days, counts)
    return counts


def _expired_sessions_delete(now: datetime) -> int:
    engine = import_module(settings.SESSION_ENGINE)
    store = engine.SessionStore
    model = getattr(store, "get_model_class", lambda: None)()
    if model is None:  # cache or cookie sessions expire by themselves
        return 0
    return model.objects.filter(expire_date__lt=now).delete()[0]
