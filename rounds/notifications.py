"""E-mails of the reporting rounds: built from templates (text and HTML) in the recipient's
language, with absolute links (settings.SITE_URL), and logged as Notification rows."""

from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from masterplan.languages import user_language

from .models import Notification, NotificationKind, ReportingRound, StatusUpdate


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def round_opened_notify(*, round: ReportingRound) -> int:
    """Tell each editor which measures' updates they must write in the round; one e-mail each."""
    updates_by_editor = defaultdict(list)
    updates = StatusUpdate.objects.filter(round=round).select_related("measure__working_group")
    editors_by_group = defaultdict(list)
    for update in updates:
        group = update.measure.working_group
        if group.pk not in editors_by_group:
            editors_by_group[group.pk] = [
                user for user in group.editors.filter(is_active=True) if user.email
            ]
        for editor in editors_by_group[group.pk]:
            updates_by_editor[editor].append(update)
    sent = 0
    for editor, items in updates_by_editor.items():
        already = Notification.objects.filter(
            round=round, recipient=editor, kind=NotificationKind.ROUND_OPENED
        ).exists()
        if already:
            continue  # a redelivered task must not send the same e-mail twice
        send_notification(
            kind=NotificationKind.ROUND_OPENED,
            round=round,
            recipient=editor,
            context={
                "round": round,
                "items": [
                    {
                        "number": update.measure.number,
                        "title": update.measure.title,
                        "url": absolute_url(reverse("rounds:update", args=[update.pk])),
                    }
                    for update in items
                ],
            },
            items=[{"kind": "update_due", "number": update.measure.number} for update in items],
        )
        sent += 1
    return sent


def send_notification(
    *, kind: str, round: ReportingRound, recipient, context: dict, items: list[dict], day=None
) -> None:
    """Render the kind's templates (subject, text, HTML) in the recipient's language, send, and
    log the e-mail."""
    with translation.override(user_language(recipient)):
        context = {**context, "recipient": recipient, "site_url": settings.SITE_URL}
        subject = render_to_string(f"rounds/email/{kind}_subject.txt", context).strip()
        text = render_to_string(f"rounds/email/{kind}.txt", context)
        html = render_to_string(f"rounds/email/{kind}.html", context)
    message = EmailMultiAlternatives(subject, text, to=[recipient.email])
    message.attach_alternative(html, "text/html")
    message.send()
    Notification.objects.create(
        recipient=recipient,
        email=recipient.email,
        kind=kind,
        round=round,
        items=items,
        sent_on=day or timezone.localdate(),
    )
