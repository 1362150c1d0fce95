"""Reminders before a reporting date: each editor learns which of their goals and KPIs have had
no update since the last report."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from masterplan.models import Programme
from measures.models import Goal, Measure

from .models import KPI


def _day(day: date) -> str:
    return date_format(day, "DATE_FORMAT")


@dataclass
class EditorReminder:
    user: object
    goals: list[Goal] = field(default_factory=list)
    kpis: list[KPI] = field(default_factory=list)


def stale_items_by_editor(*, programme: Programme, since: date | None) -> list[EditorReminder]:
    """Per editor with an e-mail address: open goals not touched and KPIs without a value since
    `since` (the last report); with no last report, every open goal and every KPI without value."""
    since_start = timezone.make_aware(datetime.combine(since or date.max, time.min))
    measures = (
        Measure.objects.filter(programme=programme)
        .select_related("working_group")
        .prefetch_related(
            "working_group__editors",
            Prefetch(
                "goals",
                queryset=Goal.objects.not_closed().filter(updated_at__lt=since_start),
                to_attr="stale_goals",
            ),
            Prefetch(
                "kpis",
                queryset=KPI.objects.annotate(last_value=Max("values__date")),
                to_attr="all_kpis",
            ),
        )
        .in_number_order()
    )
    reminders: dict[int, EditorReminder] = {}
    for measure in measures:
        stale_kpis = [
            kpi
            for kpi in measure.all_kpis
            if kpi.last_value is None or (since is not None and kpi.last_value < since)
        ]
        if not measure.stale_goals and not stale_kpis:
            continue
        for editor in measure.working_group.editors.all():
            if not editor.is_active or not editor.email:
                continue
            reminder = reminders.setdefault(editor.pk, EditorReminder(user=editor))
            reminder.goals.extend(measure.stale_goals)
            reminder.kpis.extend(stale_kpis)
    return list(reminders.values())


def _reminder_body(reminder: EditorReminder, *, reporting_date: date, since: date | None) -> str:
    goals_by_measure = defaultdict(list)
    for goal in reminder.goals:
        goals_by_measure[goal.measure].append(f"  /// {_('Ziel')}: {goal.text}")
    for kpi in reminder.kpis:
        goals_by_measure[kpi.measure].append(f"  /// {_('Kennzahl')}: {kpi.name}")
    name = reminder.user.get_full_name() or reminder.user.get_username()
    lines = [
        _("Guten Tag %(name)s,") % {"name": name},
        "",
        _("am %(date)s ist der nächste Sachstandsbericht fällig.") % {"date": _day(reporting_date)},
        _(
            "Seit dem letzten Bericht (%(date)s) wurden diese Ziele und "
            "Kennzahlen Ihrer Maßnahmen nicht aktualisiert:"
        )
        % {"date": _day(since)}
        if since
        else _("Für diese Ziele und Kennzahlen Ihrer Maßnahmen fehlen noch Angaben:"),
        "",
    ]
    for measure, items in goals_by_measure.items():
        lines.append(f"{measure.number} {measure.title}")
        lines.extend(items)
        lines.append("")
    lines += [
        _("Bitte tragen Sie den Sachstand und neue Kennzahlwerte in Sachstand ein."),
        "",
        _("Diese Nachricht wurde automatisch versandt."),
    ]
    return "\n".join(lines)


def reminders_send(*, programme: Programme, since: date | None, reporting_date: date) -> int:
    """Send one e-mail per editor with stale items; returns the number of e-mails sent."""
    messages = [
        EmailMessage(
            subject=_("Sachstandsbericht am %(date)s: bitte Sachstand aktualisieren")
            % {"date": _day(reporting_date)},
            body=_reminder_body(reminder, reporting_date=reporting_date, since=since),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[reminder.user.email],
        )
        for reminder in stale_items_by_editor(programme=programme, since=since)
    ]
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages) or 0
