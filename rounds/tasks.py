from celery import shared_task
from django.utils import timezone

from .models import ReportingRound
from .notifications import round_opened_notify
from .reminders import reminders_send


@shared_task
def notify_round_opened_task(round_id: int) -> int:
    round_ = ReportingRound.objects.filter(pk=round_id).first()
    if round_ is None:
        return 0
    return round_opened_notify(round=round_)


@shared_task
def send_round_reminders_task() -> int:
    return reminders_send(today=timezone.localdate())
