"""Round reminders: who hears what on which day, one digest per person and day, all logged."""

from datetime import date, timedelta

import pytest
from django.core import mail

from rounds.models import Notification, StatusUpdate, UpdateAction
from rounds.reminders import reminders_send
from rounds.services import update_save, update_transition

# The open_round fixture's deadlines: updates by 15.04.2027, reviews by 30.04.2027.
UPDATE_DEADLINE = date(2027, 4, 15)
REVIEW_DEADLINE = date(2027, 4, 30)


@pytest.fixture(autouse=True)
def _reminder_days(settings):
    settings.ROUND_REMINDER_DAYS_BEFORE = [7, 2]
    settings.ROUND_ESCALATION_DAYS_AFTER = 3
    settings.ROUND_REVIEW_REMINDER_DAYS_BEFORE = [2]


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def submit(round_, number, editor):
    update = StatusUpdate.objects.get(round=round_, measure__number=number)
    update = update_save(
        update=update,
        data={"traffic_light": "im_plan", "achieved": "läuft"},
        expected_version=update.version,
        by=editor,
    )
    return update_transition(update=update, action=UpdateAction.SUBMIT, by=editor)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (UPDATE_DEADLINE - timedelta(days=8), []),
        (UPDATE_DEADLINE - timedelta(days=7), ["emil@example.org", "erika@example.org"]),
        (UPDATE_DEADLINE - timedelta(days=2), ["emil@example.org", "erika@example.org"]),
        (UPDATE_DEADLINE, []),
        (UPDATE_DEADLINE + timedelta(days=1), ["lars@example.org"]),
        (UPDATE_DEADLINE + timedelta(days=3), ["alice@example.org"]),
    ],
)
def test_who_is_reminded_on_which_day(
    open_round, editor_group_1, editor_group_2, lead_group_1, admin_user, day, expected
):
    reminders_send(today=day)
    assert recipients() == expected


def test_escalation_goes_editor_then_lead_then_office(
    open_round, editor_group_1, lead_group_1, admin_user
):
    order = []
    for offset in range(-7, 5):
        mail.outbox.clear()
        reminders_send(today=UPDATE_DEADLINE + timedelta(days=offset))
        order.extend(recipients())
    assert order == [
        "erika@example.org",
        "erika@example.org",
        "lars@example.org",
        "alice@example.org",
    ]


def test_one_digest_per_person_lists_every_open_measure_of_their_group(
    open_round, editor_group_1, programme
):
    reminders_send(today=UPDATE_DEADLINE - timedelta(days=2))
    (message,) = mail.outbox
    group_1 = programme.measures.filter(working_group__number=1)
    for measure in group_1:
        assert f"{measure.number} {measure.title}" in message.body
    assert "/runden/meldung/" in message.alternatives[0][0]
    log = Notification.objects.get(recipient=editor_group_1)
    assert log.kind == "reminder"
    assert log.items == [{"kind": "update_due", "number": m.number} for m in group_1]


def test_submitted_updates_are_not_reminded_but_their_review_is(
    open_round, editor_group_1, lead_group_1
):
    submit(open_round, "1.1", editor_group_1)
    reminders_send(today=UPDATE_DEADLINE - timedelta(days=2))
    assert "1.1 " not in mail.outbox[0].body

    mail.outbox.clear()
    reminders_send(today=REVIEW_DEADLINE - timedelta(days=2))
    (message,) = mail.outbox
    assert message.to == ["lars@example.org"]
    assert "1.1 " in message.body
    assert "1.2 " not in message.body


def test_at_most_one_email_per_person_and_day(open_round, editor_group_1):
    day = UPDATE_DEADLINE - timedelta(days=2)
    assert reminders_send(today=day) == 1
    assert reminders_send(today=day) == 0  # a second run the same day (a redelivered task)
    assert len(mail.outbox) == 1
    assert Notification.objects.get().sent_on == day


def test_a_person_with_two_kinds_of_items_gets_one_digest(
    open_round, editor_group_1, lead_group_1, programme
):
    programme.working_groups.get(number=1).editors.add(lead_group_1)
    submit(open_round, "1.1", editor_group_1)
    reminders_send(today=REVIEW_DEADLINE - timedelta(days=2))
    (message,) = [m for m in mail.outbox if m.to == ["lars@example.org"]]
    assert "prüfen" in message.body
    assert len([m for m in mail.outbox if m.to == ["lars@example.org"]]) == 1


def test_closed_rounds_remind_nobody(open_round, editor_group_1, admin_user):
    from rounds.services import round_close

    round_close(round=open_round, include_unapproved=False, by=admin_user)
    assert reminders_send(today=UPDATE_DEADLINE - timedelta(days=2)) == 0
