from datetime import date
from decimal import Decimal

from django.core import mail
from django.utils import timezone

from kpis.models import KPI
from kpis.reminders import reminders_send
from kpis.services import kpi_value_record
from measures.models import Goal, GoalStatus

REPORTING_DATE = date(2027, 3, 31)
LAST_REPORT = date(2026, 9, 30)


def test_each_editor_gets_one_mail_with_their_stale_goals_and_kpis(
    stale_programme, editor_group_1, editor_group_2, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    sent = reminders_send(
        programme=stale_programme, since=LAST_REPORT, reporting_date=REPORTING_DATE
    )

    assert sent == 2
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"erika@example.org", "emil@example.org"}
    erika = by_recipient["erika@example.org"].body
    assert "1.1 Bring Your Own Device (BYOD)" in erika
    assert "/// Kennzahl: Anzahl der privaten Endgeräte im Netzwerk" in erika
    assert "2.1 Wissensmanagement 4.0" not in erika  # group II is Emil's
    assert "2.1 Wissensmanagement 4.0" in by_recipient["emil@example.org"].body
    assert "31. März 2027" in by_recipient["emil@example.org"].subject


def test_updated_goals_and_kpis_with_new_values_are_left_out(
    stale_programme, editor_group_2, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for kpi in KPI.objects.filter(measure__working_group__number=2):
        kpi_value_record(kpi=kpi, date=date(2026, 10, 31), value=Decimal(1))
    Goal.objects.filter(measure__number="2.1").update(updated_at=timezone.now())
    Goal.objects.filter(measure__number="2.2").update(status=GoalStatus.REACHED)

    reminders_send(programme=stale_programme, since=LAST_REPORT, reporting_date=REPORTING_DATE)

    [message] = mail.outbox
    assert "2.1 Wissensmanagement" not in message.body
    assert "2.2 " not in message.body
    assert "2.3 Digitales Ausbildungs-" in message.body


def test_nobody_is_mailed_when_everything_is_up_to_date(programme, editor_group_1, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for kpi in KPI.objects.all():
        kpi_value_record(kpi=kpi, date=date(2026, 10, 31), value=Decimal(1))

    assert (
        reminders_send(programme=programme, since=date(2026, 1, 1), reporting_date=REPORTING_DATE)
        == 0
    )
    assert mail.outbox == []
