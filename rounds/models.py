"""Reporting rounds (Berichtsrunden) and the status update (Sachstandsmeldung) of each measure.

A round collects, per measure, where it stands; the working group's lead approves each update,
and closing the round freezes them into the round's status report. The allowed state changes
are tables (`ROUND_TRANSITIONS`, `UPDATE_TRANSITIONS`) that the services and the pages read.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from masterplan.models import Programme
from measures.models import Measure, TrafficLight  # noqa: F401 (the Ampel lives on Measure)


class RoundState(models.TextChoices):
    PLANNED = "geplant", _("geplant")
    OPEN = "offen", _("offen")
    IN_REVIEW = "in_pruefung", _("in Prüfung")
    CLOSED = "abgeschlossen", _("abgeschlossen")


# Which round state may follow which. Closed → open is the admin's "reopen", with a reason.
ROUND_TRANSITIONS: dict[str, set[str]] = {
    RoundState.PLANNED: {RoundState.OPEN},
    RoundState.OPEN: {RoundState.IN_REVIEW, RoundState.CLOSED},
    RoundState.IN_REVIEW: {RoundState.OPEN, RoundState.CLOSED},
    RoundState.CLOSED: {RoundState.OPEN},
}
# A round that is open or in review is "running": only one per programme at a time.
RUNNING_ROUND_STATES = (RoundState.OPEN, RoundState.IN_REVIEW)


class ReportingRoundQuerySet(models.QuerySet):
    def running(self):
        return self.filter(state__in=RUNNING_ROUND_STATES)


class ReportingRound(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("Programm")
    )
    name = models.CharField(_("Name"), max_length=200, help_text=_("z. B. „Sachstand 1/2027“"))
    reporting_date = models.DateField(_("Stichtag"))
    update_deadline = models.DateField(_("Frist für die Sachstandsmeldungen"))
    review_deadline = models.DateField(_("Frist für die Prüfung"))
    state = models.CharField(
        _("Status"), max_length=20, choices=RoundState.choices, default=RoundState.PLANNED
    )
    created_at = models.DateTimeField(_("Angelegt am"), auto_now_add=True)
    opened_at = models.DateTimeField(_("Geöffnet am"), null=True, blank=True)
    closed_at = models.DateTimeField(_("Abgeschlossen am"), null=True, blank=True)
    include_unapproved = models.BooleanField(
        _("Nicht freigegebene Meldungen in den Bericht"),
        default=False,
        help_text=_(
            "Beim Abschluss gewählt: eingereichte, nicht freigegebene Meldungen erscheinen "
            "(gekennzeichnet) im Bericht; sonst gilt die letzte freigegebene Meldung."
        ),
    )

    objects = ReportingRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("Berichtsrunde")
        verbose_name_plural = _("Berichtsrunden")
        ordering = ["programme", "-reporting_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme"],
                condition=Q(state__in=RUNNING_ROUND_STATES),
                name="one_running_round_per_programme",
                violation_error_message=_("In diesem Programm läuft bereits eine Berichtsrunde."),
            ),
            models.UniqueConstraint(
                fields=["programme", "name"], name="round_name_unique_in_programme"
            ),
            models.CheckConstraint(
                condition=Q(review_deadline__gte=models.F("update_deadline")),
                name="round_review_after_update_deadline",
                violation_error_message=_(
                    "Die Prüffrist darf nicht vor der Frist für die Meldungen liegen."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_running(self) -> bool:
        return self.state in RUNNING_ROUND_STATES

    def can_become(self, state: str) -> bool:
        return state in ROUND_TRANSITIONS[self.state]


class UpdateState(models.TextChoices):
    DRAFT = "entwurf", _("Entwurf")
    SUBMITTED = "eingereicht", _("eingereicht")
    RETURNED = "zurueckgegeben", _("zurückgegeben")
    APPROVED = "freigegeben", _("freigegeben")


class UpdateAction(models.TextChoices):
    SUBMIT = "submit", _("einreichen")
    RETURN = "return", _("zurückgeben")
    APPROVE = "approve", _("freigeben")


# action: (the states it starts from, the state it leads to, who may do it)
# Who: "editor" = editors of the measure's working group, "lead" = its leads; admins may do all.
UPDATE_TRANSITIONS: dict[str, tuple[set[str], str, str]] = {
    UpdateAction.SUBMIT: (
        {UpdateState.DRAFT, UpdateState.RETURNED},
        UpdateState.SUBMITTED,
        "editor",
    ),
    UpdateAction.RETURN: ({UpdateState.SUBMITTED}, UpdateState.RETURNED, "lead"),
    UpdateAction.APPROVE: ({UpdateState.SUBMITTED}, UpdateState.APPROVED, "lead"),
}
# Editors may change the content only in these states; submitted and approved updates are fixed.
EDITABLE_UPDATE_STATES = (UpdateState.DRAFT, UpdateState.RETURNED)


# Never public, whatever the author chose.
INTERNAL_UPDATE_FIELDS = ("decision_needed",)


def withhold_internal(content: dict) -> dict:
    """An update's content (a dict of its fields) as readers outside the administration may
    see it: without what the committee must decide, and without the Ampel's reason when its
    author marked it internal. The one rule for the public site, the API, open data and
    reports built without internal fields."""
    public = {key: value for key, value in content.items() if key not in INTERNAL_UPDATE_FIELDS}
    if public.pop("traffic_light_reason_internal", False):
        public.pop("traffic_light_reason", None)
    return public


class StatusUpdateQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(state=UpdateState.APPROVED)

    def latest_approved_per_measure(self, measure_ids):
        """{measure id: its most recent approved update}, by the rounds' reporting dates."""
        latest = {}
        updates = (
            self.approved()
            .filter(measure_id__in=measure_ids)
            .order_by("measure_id", "-round__reporting_date", "-round_id")
        )
        for update in updates:
            latest.setdefault(update.measure_id, update)
        return latest


class StatusUpdate(models.Model):
    """A measure's Sachstandsmeldung in one round."""

    round = models.ForeignKey(
        ReportingRound, on_delete=models.CASCADE, related_name="updates", verbose_name=_("Runde")
    )
    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="status_updates", verbose_name=_("Maßnahme")
    )
    state = models.CharField(
        _("Status"), max_length=20, choices=UpdateState.choices, default=UpdateState.DRAFT
    )
    traffic_light = models.CharField(
        _("Ampel"), max_length=20, choices=TrafficLight.choices, blank=True
    )
    traffic_light_reason = models.TextField(
        _("Begründung der Ampel"),
        blank=True,
        help_text=_("Pflicht bei „gefährdet“ und „kritisch“."),
    )
    traffic_light_reason_internal = models.BooleanField(
        _("Begründung nur intern"),
        default=False,
        help_text=_(
            "Die Begründung erscheint dann nicht öffentlich und nicht im öffentlichen Bericht."
        ),
    )
    achieved = models.TextField(
        _("Sachstand"), blank=True, help_text=_("Was seit der letzten Runde erreicht wurde.")
    )
    next_steps = models.TextField(_("Nächste Schritte"), blank=True)
    decision_needed = models.TextField(
        _("Entscheidungsbedarf"),
        blank=True,
        help_text=_("Was der Lenkungskreis entscheiden muss. Intern: erscheint nicht öffentlich."),
    )
    progress_percent = models.PositiveSmallIntegerField(
        _("Fortschritt in %"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("Geändert am"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Geändert von"),
    )

    objects = StatusUpdateQuerySet.as_manager()

    class Meta:
        verbose_name = _("Sachstandsmeldung")
        verbose_name_plural = _("Sachstandsmeldungen")
        ordering = ["round", "measure__number_major", "measure__number_minor"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "measure"], name="one_update_per_measure_and_round"
            ),
            models.CheckConstraint(
                condition=Q(progress_percent__isnull=True) | Q(progress_percent__lte=100),
                name="update_progress_at_most_100",
            ),
        ]

    def __str__(self):
        return f"{self.measure.number} – {self.round}"

    @property
    def is_editable_content(self) -> bool:
        return self.state in EDITABLE_UPDATE_STATES and self.round.is_running


class TransitionRecord(models.Model):
    """A step of a workflow: who took it and when. The subclasses add what changed."""

    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("von"),
    )
    at = models.DateTimeField(_("am"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]


class StatusUpdateEvent(TransitionRecord):
    """One transition of an update (who, when, comment): the approval trail."""

    update = models.ForeignKey(
        StatusUpdate, on_delete=models.CASCADE, related_name="events", verbose_name=_("Meldung")
    )
    action = models.CharField(_("Aktion"), max_length=20, choices=UpdateAction.choices)
    from_state = models.CharField(_("von"), max_length=20, choices=UpdateState.choices)
    to_state = models.CharField(_("nach"), max_length=20, choices=UpdateState.choices)
    comment = models.TextField(_("Kommentar"), blank=True)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("Schritt der Freigabe")
        verbose_name_plural = _("Schritte der Freigabe")

    def __str__(self):
        return f"{self.get_action_display()}: {self.update}"


class RoundEvent(TransitionRecord):
    """Opening, review, closing and reopening of a round, with who and why."""

    round = models.ForeignKey(
        ReportingRound, on_delete=models.CASCADE, related_name="events", verbose_name=_("Runde")
    )
    from_state = models.CharField(_("von"), max_length=20, choices=RoundState.choices)
    to_state = models.CharField(_("nach"), max_length=20, choices=RoundState.choices)
    reason = models.TextField(_("Begründung"), blank=True)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("Schritt der Runde")
        verbose_name_plural = _("Schritte der Runde")

    def __str__(self):
        return f"{self.round}: {self.get_from_state_display()} → {self.get_to_state_display()}"


class NotificationKind(models.TextChoices):
    ROUND_OPENED = "round_opened", _("Runde geöffnet")
    REMINDER = "reminder", _("Erinnerung")


class Notification(models.Model):
    """Every e-mail the rounds send, for the programme office to see who was told what."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("Empfänger*in"),
    )
    email = models.EmailField(_("E-Mail-Adresse"))
    kind = models.CharField(_("Art"), max_length=30, choices=NotificationKind.choices)
    round = models.ForeignKey(
        ReportingRound,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("Runde"),
    )
    # [{"kind": "update_due", "number": "1.1"}, …]: which measures the e-mail named, and why.
    items = models.JSONField(_("Inhalt"), default=list, blank=True)
    sent_at = models.DateTimeField(_("Gesendet am"), auto_now_add=True)
    # The day the e-mail counts for in the one-per-day rule (the reminder run's day).
    sent_on = models.DateField(_("Tag"), db_index=True)

    class Meta:
        verbose_name = _("Benachrichtigung")
        verbose_name_plural = _("Benachrichtigungen")
        ordering = ["-sent_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.email}"
