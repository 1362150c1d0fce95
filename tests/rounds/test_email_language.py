"""E-mails of the rounds are written in each recipient's language (the one they chose)."""

from datetime import date, timedelta

import pytest
from django.core import mail

from masterplan.languages import user_language_remember
from rounds.notifications import round_opened_notify
from rounds.reminders import reminders_send

UPDATE_DEADLINE = date(2027, 4, 15)


@pytest.fixture(autouse=True)
def _reminder_days(settings):
    settings.ROUND_REMINDER_DAYS_BEFORE = [2]


def message_to(user):
    (message,) = [message for message in mail.outbox if message.to == [user.email]]
    return message


def test_the_opening_e_mail_is_in_each_editors_language(open_round, editor_group_1, programme):
    english = editor_group_1
    german = programme.working_groups.get(number=1).editors.create(
        username="gerda", email="gerda@example.org"
    )
    user_language_remember(user=english, language="en")
    user_language_remember(user=german, language="de")

    assert round_opened_notify(round=open_round) == 2

    message = message_to(english)
    assert message.subject == "Sachstand: reporting round “Sachstand 1/2027” is open"
    assert "Please report" in message.body and "Bitte melden" not in message.body
    assert "Please report" in message.alternatives[0][0]
    message = message_to(german)
    assert message.subject == "Sachstand: Berichtsrunde „Sachstand 1/2027“ ist geöffnet"
    assert "Bitte melden" in message.body and "Please report" not in message.body


def test_the_reminder_digest_is_in_each_editors_language(
    open_round, editor_group_1, editor_group_2
):
    user_language_remember(user=editor_group_1, language="en")

    reminders_send(today=UPDATE_DEADLINE - timedelta(days=2))

    english, german = message_to(editor_group_1), message_to(editor_group_2)
    assert english.subject.startswith("Sachstand: open tasks")
    assert "Please report the progress of these measures" in english.body
    assert german.subject.startswith("Sachstand: offene Aufgaben")
    assert "Bitte melden Sie den Sachstand dieser Maßnahmen" in german.body


def test_without_a_stored_choice_e_mails_are_in_the_sites_language(open_round, editor_group_1):
    round_opened_notify(round=open_round)
    assert "ist geöffnet" in message_to(editor_group_1).subject
