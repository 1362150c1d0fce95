"""Everything that changes reporting rounds and status updates goes through these functions.

The pages, the spreadsheet import and the management commands call them, so the state tables in
`models.py`, the locking and the approval trail hold on every path.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from masterplan.models import Programme
from masterplan.roles import is_admin, is_editor_of, is_lead_of
from measures.models import Measure
from measures.services import measure_lock, measure_record_event
from measures.text import normalize_text

from .models import (
    UPDATE_TRANSITIONS,
    ReportingRound,
    RoundEvent,
    RoundState,
    StatusUpdate,
    StatusUpdateEvent,
    TrafficLight,
    UpdateAction,
    UpdateState,
)

UPDATE_CONTENT_FIELDS = (
    "traffic_light",
    "traffic_light_reason",
    "traffic_light_reason_internal",
    "achieved",
    "next_steps",
    "decision_needed",
    "progress_percent",
)


class UpdateConflict(Exception):
    """Someone else saved the update since the editor loaded it."""

    def __init__(self, *, update: StatusUpdate, expected_version: int):
        self.update = update
        self.expected_version = expected_version
        super().__init__(
            f"Update {update.pk} is at version {update.version}, "
            f"the edit was based on version {expected_version}."
        )


# Rounds


@transaction.atomic
def round_create(
    *, programme: Programme, name: str, reporting_date, update_deadline, review_deadline, by=None
) -> ReportingRound:
    round_ = ReportingRound(
        programme=programme,
        name=name.strip(),
        reporting_date=reporting_date,
        update_deadline=update_deadline,
        review_deadline=review_deadline,
    )
    round_.full_clean()
    round_.save()
    return round_


def _lock_round(round_: ReportingRound) -> ReportingRound:
    return ReportingRound.objects.select_for_update().select_related("programme").get(pk=round_.pk)


def _round_move(round_: ReportingRound, *, to: str, by, reason: str = "") -> None:
    if not round_.can_become(to):
        raise ValidationError(
            _("Eine Runde im Status „%(state)s“ kann nicht „%(to)s“ werden.")
            % {"state": round_.get_state_display(), "to": RoundState(to).label}
        )
    RoundEvent.objects.create(
        round=round_, from_state=round_.state, to_state=to, by=by, reason=reason
    )
    round_.state = to


def _save_running(round_: ReportingRound, *, fields: list[str]) -> None:
    """Save a round that starts running. Refused while another round of its programme runs:
    checked first, and by the database constraint when two start at the same moment."""
    refused = ValidationError(_("In diesem Programm läuft bereits eine Berichtsrunde."))
    if ReportingRound.objects.running().filter(programme=round_.programme).exists():
        raise refused
    try:
        with transaction.atomic():
            round_.save(update_fields=fields)
    except IntegrityError:
        raise refused from None


@transaction.atomic
def round_open(*, round: ReportingRound, by=None) -> ReportingRound:
    """Open a planned round: one update per measure, pre-filled from its last approved update.

    Refuses while another round of the programme is running. The editors are told by e-mail
    once the transaction has committed.
    """
    round_ = _lock_round(round)
    if round_.state != RoundState.PLANNED:
        raise ValidationError(_("Nur eine geplante Runde kann geöffnet werden."))
    _round_move(round_, to=RoundState.OPEN, by=by)
    round_.opened_at = timezone.now()
    _save_running(round_, fields=["state", "opened_at"])
    _updates_create(round_)
    transaction.on_commit(lambda: _notify_round_opened(round_.pk))
    return round_


def _updates_create(round_: ReportingRound) -> None:
    measure_ids = list(
        Measure.objects.filter(programme=round_.programme).values_list("pk", flat=True)
    )
    previous = StatusUpdate.objects.latest_approved_per_measure(measure_ids)
    StatusUpdate.objects.bulk_create(
        [
            StatusUpdate(
                round=round_,
                measure_id=measure_id,
                **(
                    {field: getattr(previous[measure_id], field) for field in UPDATE_CONTENT_FIELDS}
                    if measure_id in previous
                    else {}
                ),
            )
            for measure_id in measure_ids
        ],
        batch_size=1000,
    )


def _notify_round_opened(round_id: int) -> None:
    from .tasks import notify_round_opened_task

    notify_round_opened_task.delay(round_id)


@transaction.atomic
def round_start_review(*, round: ReportingRound, by=None) -> ReportingRound:
    round_ = _lock_round(round)
    _round_move(round_, to=RoundState.IN_REVIEW, by=by)
    round_.save(update_fields=["state"])
    return round_


@transaction.atomic
def round_close(*, round: ReportingRound, include_unapproved: bool, by=None) -> ReportingRound:
    """Close a running round: its updates become read-only and the report may be frozen.

    `include_unapproved`: updates submitted but not approved go into the report marked as
    such; otherwise each such measure shows its last approved update.
    """
    round_ = _lock_round(round)
    _round_move(round_, to=RoundState.CLOSED, by=by)
    round_.closed_at = timezone.now()
    round_.include_unapproved = include_unapproved
    round_.save(update_fields=["state", "closed_at", "include_unapproved"])
    _round_history(round_, label=_("Berichtsrunde „%(name)s“ abgeschlossen"), by=by)
    return round_


def _round_history(round_: ReportingRound, *, label: str, by, comment: str = "") -> None:
    """Each measure of the round gets the round's step in its history."""
    measure_record_event(
        measures=Measure.objects.filter(status_updates__round=round_),
        label=label % {"name": round_.name},
        by=by,
        comment=comment,
    )


@transaction.atomic
def round_reopen(*, round: ReportingRound, reason: str, by=None) -> ReportingRound:
    """An admin action: a closed round runs again, with the reason in its trail."""
    reason = normalize_text(reason).strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Bitte begründen Sie, warum die Runde wieder geöffnet wird.")}
        )
    round_ = _lock_round(round)
    if round_.state != RoundState.CLOSED:
        raise ValidationError(_("Nur eine abgeschlossene Runde kann wieder geöffnet werden."))
    _round_move(round_, to=RoundState.OPEN, by=by, reason=reason)
    round_.closed_at = None
    _save_running(round_, fields=["state", "closed_at"])
    _round_history(
        round_, label=_("Berichtsrunde „%(name)s“ wieder geöffnet"), by=by, comment=reason
    )
    return round_


# Status updates


def update_allowed_actions(user, update: StatusUpdate) -> list[str]:
    """The transitions this user may make on the update now, in the order the page offers them."""
    if not update.round.is_running:
        return []
    group = update.measure.working_group
    roles = set()
    if is_admin(user):
        roles = {"editor", "lead"}
    else:
        if is_editor_of(user, group):
            roles.add("editor")
        if is_lead_of(user, group):
            roles.add("lead")
    return [
        action
        for action, (sources, _target, who) in UPDATE_TRANSITIONS.items()
        if update.state in sources and who in roles
    ]


def can_edit_update(user, update: StatusUpdate) -> bool:
    if not update.is_editable_content:
        return False
    return is_admin(user) or is_editor_of(user, update.measure.working_group)


def can_edit_round_updates(user, round_: ReportingRound) -> bool:
    """Whether the user may edit any update of the round (e.g. upload its spreadsheet)."""
    if not round_.is_running or not user.is_authenticated:
        return False
    return is_admin(user) or round_.programme.working_groups.filter(editors=user.pk).exists()


def _lock_update(update: StatusUpdate) -> StatusUpdate:
    return (
        StatusUpdate.objects.select_for_update(of=("self",))
        .select_related("round", "measure__working_group")
        .get(pk=update.pk)
    )


def _validate_traffic_light(update: StatusUpdate) -> None:
    needs_reason = update.traffic_light in TrafficLight.needing_reason()
    if needs_reason and not update.traffic_light_reason.strip():
        raise ValidationError(
            {
                "traffic_light_reason": _("Bei der Ampel „%(light)s“ ist eine Begründung nötig.")
                % {"light": update.get_traffic_light_display()}
            }
        )


@transaction.atomic
def update_save(*, update: StatusUpdate, data: dict, expected_version: int, by) -> StatusUpdate:
    """Save a draft or returned update's content; saving unchanged content keeps the version."""
    locked = _lock_update(update)
    if not can_edit_update(by, locked):
        raise PermissionDenied(_("Diese Sachstandsmeldung kann nicht mehr bearbeitet werden."))
    if locked.version != expected_version:
        raise UpdateConflict(update=locked, expected_version=expected_version)
    changed = False
    for field in UPDATE_CONTENT_FIELDS:
        if field in data:
            value = normalize_text(data[field])
            if getattr(locked, field) != value:
                setattr(locked, field, value)
                changed = True
    if not changed:
        return locked
    locked.full_clean()
    _validate_traffic_light(locked)
    locked.updated_by = by
    locked.save()
    StatusUpdate.objects.filter(pk=locked.pk).update(version=F("version") + 1)
    locked.refresh_from_db(fields=["version"])
    return locked


@transaction.atomic
def update_transition(
    *, update: StatusUpdate, action: str, by, comment: str = "", expected_version: int | None = None
) -> StatusUpdate:
    """Submit, return or approve an update, as `UPDATE_TRANSITIONS` allows for the user's role."""
    locked = _lock_update(update)
    if expected_version is not None and locked.version != expected_version:
        raise UpdateConflict(update=locked, expected_version=expected_version)
    if action not in update_allowed_actions(by, locked):
        raise PermissionDenied(
            _("„%(action)s“ ist für diese Meldung im Status „%(state)s“ nicht möglich.")
            % {"action": UpdateAction(action).label, "state": locked.get_state_display()}
        )
    comment = normalize_text(comment).strip()
    if action == UpdateAction.RETURN and not comment:
        raise ValidationError({"comment": _("Bitte sagen Sie beim Zurückgeben, was fehlt.")})
    if action == UpdateAction.SUBMIT:
        _validate_complete(locked)
    _sources, target, _who = UPDATE_TRANSITIONS[action]
    measure = measure_lock(measure_id=locked.measure_id)
    diff = {"report_state": [locked.get_state_display(), str(UpdateState(target).label)]}
    if action == UpdateAction.APPROVE:
        diff.update(_measure_traffic_light_set(measure, locked))
    measure_record_event(
        measures=[measure],
        label=_("Sachstandsmeldung „%(name)s“: %(action)s")
        % {"name": locked.round.name, "action": UpdateAction(action).label},
        by=by,
        diff=diff,
        comment=comment,
    )
    StatusUpdateEvent.objects.create(
        update=locked,
        action=action,
        from_state=locked.state,
        to_state=target,
        comment=comment,
        by=by,
    )
    locked.state = target
    locked.updated_by = by
    locked.save(update_fields=["state", "updated_by", "updated_at"])
    StatusUpdate.objects.filter(pk=locked.pk).update(version=F("version") + 1)
    locked.refresh_from_db(fields=["version"])
    return locked


def _measure_traffic_light_set(measure: Measure, update: StatusUpdate) -> dict:
    """An approved update's Ampel becomes the measure's, unless a later round's already is.

    Returns the history diff of the change ({} if the Ampel stays)."""
    reporting_date = update.round.reporting_date
    if measure.traffic_light_date and measure.traffic_light_date > reporting_date:
        return {}
    old = measure.traffic_light
    Measure.objects.filter(pk=measure.pk).update(
        traffic_light=update.traffic_light,
        traffic_light_round=update.round.name,
        traffic_light_date=reporting_date,
    )
    measure.refresh_from_db(fields=["traffic_light", "traffic_light_round", "traffic_light_date"])
    return {"traffic_light": [old, update.traffic_light]} if old != update.traffic_light else {}


def _validate_complete(update: StatusUpdate) -> None:
    errors = {}
    if not update.traffic_light:
        errors["traffic_light"] = _("Bitte wählen Sie eine Ampel.")
    if not update.achieved.strip():
        errors["achieved"] = _("Bitte beschreiben Sie den Sachstand.")
    if errors:
        raise ValidationError(errors)
    _validate_traffic_light(update)
