"""Remind editors before a programme's next reporting date (beat: `tasks.send_due_reminders_task`).

It lives in `reports` because "since the last report" means the last finished StatusReport;
the reminder content itself is `kpis.reminders`.
"""

from datetime import date

from django.conf import settings
from django.utils import timezone

from kpis.reminders import reminders_send
from masterplan.models import Programme

from .models import StatusReport


def last_report_date(*, programme: Programme) -> date | None:
    report = StatusReport.objects.latest_done(programme)
    return report.report_date if report else None


def reminders_send_due(*, today: date) -> dict[str, int]:
    """Send reminders for every programme whose reporting date is one of the configured
    number of days ahead (settings.REMINDER_DAYS_BEFORE). Returns e-mails sent per programme."""
    sent = {}
    for days in settings.REMINDER_DAYS_BEFORE:
        due = today + timezone.timedelta(days=days)
        for programme in Programme.objects.filter(next_reporting_date=due):
            sent[programme.name] = sent.get(programme.name, 0) + reminders_send(
                programme=programme,
                since=last_report_date(programme=programme),
                reporting_date=due,
            )
    return sent
