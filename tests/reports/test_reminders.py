from datetime import date

from django.core import mail

from reports.reminders import reminders_send_due

REPORTING_DATE = date(2027, 3, 31)


def test_beat_job_mails_only_on_the_configured_days_before_the_reporting_date(
    stale_programme, editor_group_1, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.REMINDER_DAYS_BEFORE = [14, 3]
    stale_programme.next_reporting_date = REPORTING_DATE
    stale_programme.save()

    assert reminders_send_due(today=date(2027, 3, 16)) == {}
    assert reminders_send_due(today=date(2027, 3, 17)) == {stale_programme.name: 1}
    assert reminders_send_due(today=date(2027, 3, 28)) == {stale_programme.name: 1}
    assert [message.to for message in mail.outbox] == [["erika@example.org"]] * 2
    assert "fehlen noch Angaben" in mail.outbox[0].body  # no report yet
