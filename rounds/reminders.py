"""The daily reminders of a running round, as a table of rules, sent as one digest per person.

- update_due: the group's editors, for updates in draft or returned, on each of
  ROUND_REMINDER_DAYS_BEFORE days before the update deadline;
- update_overdue: the group's leads, for those still not submitted, the day after the deadline;
- update_escalated: the programme office (admins), for those still not submitted,
  ROUND_ESCALATION_DAYS_AFTER days after the deadline;
- review_due: the group's leads, for submitted updates, on each of
  ROUND_REVIEW_REMINDER_DAYS_BEFORE days before the review deadline.

Nobody gets more than one e-mail a day: everything due for a person that day goes into one
digest, and a person already written to today (the opening e-mail included) waits until the
next day's run.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Notification, NotificationKind, ReportingRound, StatusUpdate, UpdateState
from .notifications import absolute_url, send_notification

NOT_SUBMITTED = (UpdateState.DRAFT, UpdateState.RETURNED)

ITEM_HEADINGS = {
    "update_due": _("Bitte melden Sie den Sachstand dieser Maßnahmen"),
    "update_overdue": _("Die Frist ist abgelaufen; diese Meldungen Ihrer Arbeitsgruppe fehlen"),
    "update_escalated": _("Diese Meldungen fehlen auch nach der Frist noch"),
    "review_due": _("Bitte prüfen Sie diese eingereichten Meldungen"),
}


@dataclass(frozen=True)
class Item:
    kind: str
    update: StatusUpdate

    def as_dict(self) -> dict:
        return {"kind": self.kind, "number": self.update.measure.number}


def _office():
    return get_user_model().objects.filter(is_superuser=True, is_active=True).exclude(email="")


def items_due(*, round: ReportingRound, today: date) -> dict[object, list[Item]]:
    """What each person must hear about today, by the rules in the table above."""
    to_update = (today - round.update_deadline).days
    to_review = (round.review_deadline - today).days
    updates = list(
        StatusUpdate.objects.filter(round=round)
        .select_related("measure__working_group")
        .prefetch_related("measure__working_group__editors", "measure__working_group__leads")
    )
    office = list(_office())
    items = defaultdict(list)

    def tell(users, kind, update):
        for user in users:
            if user.is_active and user.email:
                items[user].append(Item(kind, update))

    for update in updates:
        group = update.measure.working_group
        if update.state in NOT_SUBMITTED:
            if -to_update in settings.ROUND_REMINDER_DAYS_BEFORE:
                tell(group.editors.all(), "update_due", update)
            if to_update == 1:
                tell(group.leads.all(), "update_overdue", update)
            if to_update == settings.ROUND_ESCALATION_DAYS_AFTER:
                tell(office, "update_escalated", update)
        elif (
            update.state == UpdateState.SUBMITTED
            and to_review in settings.ROUND_REVIEW_REMINDER_DAYS_BEFORE
        ):
            tell(group.leads.all(), "review_due", update)
    return items


def reminders_send(*, today: date) -> int:
    """Send today's digests for every running round; returns how many e-mails went out."""
    written_today = set(
        Notification.objects.filter(sent_on=today).values_list("recipient_id", flat=True)
    )
    sent = 0
    for round_ in ReportingRound.objects.running():
        for person, items in items_due(round=round_, today=today).items():
            if person.pk in written_today:
                continue
            sections = defaultdict(list)
            for item in items:
                sections[item.kind].append(
                    {
                        "number": item.update.measure.number,
                        "title": item.update.measure.title,
                        "url": absolute_url(reverse("rounds:update", args=[item.update.pk])),
                    }
                )
            send_notification(
                kind=NotificationKind.REMINDER,
                round=round_,
                recipient=person,
                context={
                    "round": round_,
                    "sections": [
                        {"heading": ITEM_HEADINGS[kind], "items": entries}
                        for kind, entries in sections.items()
                    ],
                },
                items=[item.as_dict() for item in items],
                day=today,
            )
            written_today.add(person.pk)
            sent += 1
    return sent
