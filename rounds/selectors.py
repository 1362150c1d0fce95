from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q

from masterplan.roles import is_admin
from measures.models import Measure

from .models import (
    RUNNING_ROUND_STATES,
    ReportingRound,
    StatusUpdate,
    TrafficLight,
    UpdateState,
)


@dataclass
class GroupProgress:
    working_group: object
    updates: list = field(default_factory=list)

    @property
    def approved(self) -> int:
        return sum(1 for update in self.updates if update.state == UpdateState.APPROVED)


def round_progress(*, round: ReportingRound, working_group=None, state: str = "") -> dict:
    """The round page: updates per working group, counts by state and by Ampel."""
    updates = (
        StatusUpdate.objects.filter(round=round)
        .select_related("measure__working_group")
        .order_by(
            "measure__working_group__number", "measure__number_major", "measure__number_minor"
        )
    )
    all_updates = list(updates)
    shown = [
        update
        for update in all_updates
        if (working_group is None or update.measure.working_group_id == working_group.pk)
        and (not state or update.state == state)
    ]
    groups: dict[int, GroupProgress] = {}
    for update in shown:
        group = update.measure.working_group
        groups.setdefault(group.pk, GroupProgress(group)).updates.append(update)
    by_state = Counter(update.state for update in all_updates)
    by_light = Counter(update.traffic_light for update in all_updates if update.traffic_light)
    return {
        "groups": list(groups.values()),
        "total": len(all_updates),
        "shown": len(shown),
        "by_state": [(s, by_state.get(s.value, 0)) for s in UpdateState],
        "by_light": [(light, by_light.get(light.value, 0)) for light in TrafficLight],
        "approved": by_state.get(UpdateState.APPROVED, 0),
        "submitted": by_state.get(UpdateState.SUBMITTED, 0),
        "not_submitted": by_state.get(UpdateState.DRAFT, 0) + by_state.get(UpdateState.RETURNED, 0),
    }


def running_round(*, programme) -> ReportingRound | None:
    return ReportingRound.objects.running().filter(programme=programme).first()


def tasks_for(user) -> dict:
    """ "Meine Aufgaben": updates the user must write and updates they must review."""
    running = StatusUpdate.objects.filter(round__state__in=RUNNING_ROUND_STATES).select_related(
        "round", "measure__working_group"
    )
    if is_admin(user):
        to_write = running.none()
        to_review = running.filter(state=UpdateState.SUBMITTED)
    else:
        to_write = running.filter(
            Q(state__in=(UpdateState.DRAFT, UpdateState.RETURNED))
            & Q(measure__working_group__editors=user)
        )
        to_review = running.filter(state=UpdateState.SUBMITTED, measure__working_group__leads=user)
    order = ("round__update_deadline", "measure__number_major", "measure__number_minor")
    return {
        "to_write": list(to_write.order_by(*order)),
        "to_review": list(to_review.order_by(*order)),
    }


def round_statuses(*, round: ReportingRound) -> dict[int, dict]:
    """Per measure id, the status a closed round reports, as plain JSON for the snapshot.

    The round's approved update; a submitted one if the admin chose at closing to include
    unapproved updates (marked `approved: False`); otherwise the measure's last approved
    update from an earlier round (with that round's name), or nothing.
    """
    own = {
        update.measure_id: update
        for update in StatusUpdate.objects.filter(round=round).select_related("round")
    }
    chosen: dict[int, StatusUpdate] = {}
    for measure_id, update in own.items():
        if update.state == UpdateState.APPROVED or (
            round.include_unapproved and update.state == UpdateState.SUBMITTED
        ):
            chosen[measure_id] = update
    missing = [measure_id for measure_id in own if measure_id not in chosen]
    earlier = StatusUpdate.objects.filter(round__reporting_date__lte=round.reporting_date).exclude(
        round=round
    )
    chosen.update(earlier.select_related("round").latest_approved_per_measure(missing))
    return {measure_id: update_as_status(update) for measure_id, update in chosen.items()}


def update_as_status(update: StatusUpdate) -> dict:
    return {
        "round": update.round.name,
        "reporting_date": update.round.reporting_date.isoformat(),
        "approved": update.state == UpdateState.APPROVED,
        "traffic_light": update.traffic_light,
        "traffic_light_label": str(update.get_traffic_light_display())
        if update.traffic_light
        else "",
        "traffic_light_reason": update.traffic_light_reason,
        "traffic_light_reason_internal": update.traffic_light_reason_internal,
        "achieved": update.achieved,
        "next_steps": update.next_steps,
        "decision_needed": update.decision_needed,
        "progress_percent": update.progress_percent,
    }


def measure_rounds(*, measure) -> dict:
    """The measure page's part: its update in the running round (or, if none runs, the latest
    approved one) and the Ampel of every round it had an update in, oldest first."""
    updates = list(
        StatusUpdate.objects.filter(measure=measure)
        .select_related("round")
        .order_by("round__reporting_date", "round_id")
    )
    running = next((u for u in updates if u.round.state in RUNNING_ROUND_STATES), None)
    approved = [u for u in updates if u.state == UpdateState.APPROVED]
    timeline = [
        {"round": update.round, "update": update if update.state == UpdateState.APPROVED else None}
        for update in updates
        if update.round.state not in RUNNING_ROUND_STATES or update.state == UpdateState.APPROVED
    ]
    return {
        "current": running or (approved[-1] if approved else None),
        "timeline": timeline,
    }


def overview_rounds(*, programme, user) -> dict:
    """The overview's part: the user's tasks, the running round's progress per working group,
    and how many measures show which Ampel (their latest approved update)."""
    running = running_round(programme=programme) if programme else None
    lights = Counter(
        Measure.objects.filter(programme=programme).values_list("traffic_light", flat=True)
    )
    return {
        "tasks": tasks_for(user),
        "round": running,
        "progress": round_progress(round=running) if running else None,
        "lights": [(light, lights.get(light.value, 0)) for light in TrafficLight],
        "no_light": lights.get("", 0),
    }
