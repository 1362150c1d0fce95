from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rounds.models import (
    ReportingRound,
    RoundState,
    StatusUpdate,
    TrafficLight,
    UpdateAction,
    UpdateState,
)
from rounds.services import (
    UpdateConflict,
    round_close,
    round_create,
    round_open,
    round_reopen,
    round_start_review,
    update_allowed_actions,
    update_save,
    update_transition,
)
from tests.factories import ReportingRoundFactory

FILLED = {"traffic_light": TrafficLight.ON_TRACK, "achieved": "Konzept abgestimmt."}


def update_of(round_, number):
    return StatusUpdate.objects.get(round=round_, measure__number=number)


def submitted(round_, number, editor):
    update = update_of(round_, number)
    update = update_save(update=update, data=FILLED, expected_version=update.version, by=editor)
    return update_transition(update=update, action=UpdateAction.SUBMIT, by=editor)


# Round states, as a table: from state, step, resulting state or refusal.
ROUND_STEPS = [
    (RoundState.PLANNED, "open", RoundState.OPEN),
    (RoundState.PLANNED, "review", None),
    (RoundState.PLANNED, "close", None),
    (RoundState.OPEN, "review", RoundState.IN_REVIEW),
    (RoundState.OPEN, "close", RoundState.CLOSED),
    (RoundState.OPEN, "open", None),
    (RoundState.IN_REVIEW, "close", RoundState.CLOSED),
    (RoundState.CLOSED, "reopen", RoundState.OPEN),
    (RoundState.CLOSED, "close", None),
    (RoundState.OPEN, "reopen", None),
]


def _step(round_, step, by):
    if step == "open":
        return round_open(round=round_, by=by)
    if step == "review":
        return round_start_review(round=round_, by=by)
    if step == "close":
        return round_close(round=round_, include_unapproved=False, by=by)
    return round_reopen(round=round_, reason="Nachtrag für 1.1", by=by)


@pytest.mark.parametrize(("start", "step", "result"), ROUND_STEPS)
def test_round_state_table(planned_round, admin_user, start, step, result):
    ReportingRound.objects.filter(pk=planned_round.pk).update(state=start)
    planned_round.refresh_from_db()
    if result is None:
        with pytest.raises(ValidationError):
            _step(planned_round, step, admin_user)
        planned_round.refresh_from_db()
        assert planned_round.state == start
    else:
        assert _step(planned_round, step, admin_user).state == result
        assert planned_round.events.last().to_state == result


def test_opening_creates_one_draft_update_per_measure(open_round, programme):
    assert open_round.state == RoundState.OPEN
    assert open_round.updates.count() == programme.measures.count() == 6
    assert set(open_round.updates.values_list("state", flat=True)) == {UpdateState.DRAFT}


def test_only_one_round_of_a_programme_runs_at_a_time(open_round, programme, admin_user):
    second = ReportingRoundFactory(
        programme=programme, name="Sachstand 2/2027", reporting_date=date(2027, 9, 30)
    )
    with pytest.raises(ValidationError, match="läuft bereits"):
        round_open(round=second, by=admin_user)
    second.refresh_from_db()
    assert second.state == RoundState.PLANNED
    assert not second.updates.exists()


def test_review_deadline_may_not_precede_update_deadline(programme):
    with pytest.raises(ValidationError, match="Prüffrist"):
        round_create(
            programme=programme,
            name="Verdreht",
            reporting_date=date(2027, 3, 31),
            update_deadline=date(2027, 4, 30),
            review_deadline=date(2027, 4, 15),
        )


def test_opening_prefills_from_the_last_approved_update(
    open_round, programme, admin_user, editor_group_1, lead_group_1
):
    update = submitted(open_round, "1.1", editor_group_1)
    update_transition(update=update, action=UpdateAction.APPROVE, by=lead_group_1)
    round_close(round=open_round, include_unapproved=False, by=admin_user)
    second = ReportingRoundFactory(
        programme=programme,
        name="Sachstand 2/2027",
        reporting_date=date(2027, 9, 30),
        open=True,
        by=admin_user,
    )

    prefilled = update_of(second, "1.1")
    assert prefilled.state == UpdateState.DRAFT
    assert prefilled.traffic_light == TrafficLight.ON_TRACK
    assert prefilled.achieved == "Konzept abgestimmt."
    assert update_of(second, "1.2").achieved == ""


# Update transitions × roles: (state, action, role, allowed)
UPDATE_STEPS = [
    (UpdateState.DRAFT, UpdateAction.SUBMIT, "editor", True),
    (UpdateState.DRAFT, UpdateAction.SUBMIT, "lead", False),
    (UpdateState.DRAFT, UpdateAction.SUBMIT, "other_editor", False),
    (UpdateState.DRAFT, UpdateAction.SUBMIT, "committee", False),
    (UpdateState.DRAFT, UpdateAction.SUBMIT, "admin", True),
    (UpdateState.DRAFT, UpdateAction.APPROVE, "lead", False),
    (UpdateState.SUBMITTED, UpdateAction.APPROVE, "lead", True),
    (UpdateState.SUBMITTED, UpdateAction.APPROVE, "editor", False),
    (UpdateState.SUBMITTED, UpdateAction.APPROVE, "admin", True),
    (UpdateState.SUBMITTED, UpdateAction.APPROVE, "committee", False),
    (UpdateState.SUBMITTED, UpdateAction.RETURN, "lead", True),
    (UpdateState.SUBMITTED, UpdateAction.RETURN, "editor", False),
    (UpdateState.SUBMITTED, UpdateAction.SUBMIT, "editor", False),
    (UpdateState.RETURNED, UpdateAction.SUBMIT, "editor", True),
    (UpdateState.RETURNED, UpdateAction.APPROVE, "lead", False),
    (UpdateState.APPROVED, UpdateAction.RETURN, "lead", False),
    (UpdateState.APPROVED, UpdateAction.SUBMIT, "editor", False),
]


@pytest.fixture
def personas(admin_user, editor_group_1, editor_group_2, lead_group_1, committee_member):
    return {
        "admin": admin_user,
        "editor": editor_group_1,
        "other_editor": editor_group_2,
        "lead": lead_group_1,
        "committee": committee_member,
    }


@pytest.mark.parametrize(("state", "action", "role", "allowed"), UPDATE_STEPS)
def test_update_transition_table(open_round, personas, state, action, role, allowed):
    update = update_of(open_round, "1.1")
    StatusUpdate.objects.filter(pk=update.pk).update(state=state, **FILLED)
    update.refresh_from_db()
    user = personas[role]
    assert (action in update_allowed_actions(user, update)) is allowed
    if allowed:
        done = update_transition(update=update, action=action, by=user, comment="Bitte ergänzen")
        assert done.state != state
        assert done.events.get().by == user
    else:
        with pytest.raises(PermissionDenied):
            update_transition(update=update, action=action, by=user, comment="x")
        update.refresh_from_db()
        assert update.state == state


def test_returning_needs_a_comment(open_round, editor_group_1, lead_group_1):
    update = submitted(open_round, "1.1", editor_group_1)
    with pytest.raises(ValidationError, match="was fehlt"):
        update_transition(update=update, action=UpdateAction.RETURN, by=lead_group_1)
    update.refresh_from_db()
    assert update.state == UpdateState.SUBMITTED


def test_submitting_needs_traffic_light_and_sachstand(open_round, editor_group_1):
    update = update_of(open_round, "1.1")
    with pytest.raises(ValidationError) as refused:
        update_transition(update=update, action=UpdateAction.SUBMIT, by=editor_group_1)
    assert set(refused.value.message_dict) == {"traffic_light", "achieved"}


@pytest.mark.parametrize("light", [TrafficLight.AT_RISK, TrafficLight.CRITICAL])
def test_at_risk_and_critical_need_a_reason(open_round, editor_group_1, light):
    update = update_of(open_round, "1.1")
    with pytest.raises(ValidationError) as refused:
        update_save(
            update=update,
            data={"traffic_light": light, "achieved": "x"},
            expected_version=update.version,
            by=editor_group_1,
        )
    assert "traffic_light_reason" in refused.value.message_dict
    update.refresh_from_db()
    assert update.traffic_light == ""


def test_the_whole_approval_trail_is_recorded(open_round, editor_group_1, lead_group_1):
    update = submitted(open_round, "1.1", editor_group_1)
    update = update_transition(
        update=update, action=UpdateAction.RETURN, by=lead_group_1, comment="Zahlen fehlen"
    )
    update = update_save(
        update=update,
        data={"achieved": "Konzept abgestimmt, 12.500 Anträge digital."},
        expected_version=update.version,
        by=editor_group_1,
    )
    update = update_transition(update=update, action=UpdateAction.SUBMIT, by=editor_group_1)
    update = update_transition(update=update, action=UpdateAction.APPROVE, by=lead_group_1)

    trail = [(e.from_state, e.to_state, e.by, e.comment) for e in update.events.all()]
    assert trail == [
        (UpdateState.DRAFT, UpdateState.SUBMITTED, editor_group_1, ""),
        (UpdateState.SUBMITTED, UpdateState.RETURNED, lead_group_1, "Zahlen fehlen"),
        (UpdateState.RETURNED, UpdateState.SUBMITTED, editor_group_1, ""),
        (UpdateState.SUBMITTED, UpdateState.APPROVED, lead_group_1, ""),
    ]


@pytest.mark.parametrize("state", [UpdateState.SUBMITTED, UpdateState.APPROVED])
def test_submitted_and_approved_updates_cannot_be_edited(open_round, editor_group_1, state):
    update = update_of(open_round, "1.1")
    StatusUpdate.objects.filter(pk=update.pk).update(state=state)
    with pytest.raises(PermissionDenied):
        update_save(
            update=update,
            data={"achieved": "neu"},
            expected_version=update.version,
            by=editor_group_1,
        )


def test_editors_of_other_groups_cannot_edit(open_round, editor_group_2):
    update = update_of(open_round, "1.1")
    with pytest.raises(PermissionDenied):
        update_save(
            update=update,
            data={"achieved": "neu"},
            expected_version=update.version,
            by=editor_group_2,
        )


def test_a_stale_save_is_refused(open_round, editor_group_1):
    update = update_of(open_round, "1.1")
    update_save(update=update, data={"achieved": "erste"}, expected_version=1, by=editor_group_1)
    with pytest.raises(UpdateConflict):
        update_save(
            update=update, data={"achieved": "zweite"}, expected_version=1, by=editor_group_1
        )
    update.refresh_from_db()
    assert update.achieved == "erste"
    assert update.version == 2


def test_saving_unchanged_text_with_crlf_keeps_the_version(open_round, editor_group_1):
    update = update_of(open_round, "1.1")
    update = update_save(
        update=update, data={"achieved": "Zeile 1\nZeile 2"}, expected_version=1, by=editor_group_1
    )
    again = update_save(
        update=update,
        data={"achieved": "Zeile 1\r\nZeile 2"},
        expected_version=update.version,
        by=editor_group_1,
    )
    assert again.version == update.version == 2


def test_closing_locks_the_updates(open_round, admin_user, editor_group_1, lead_group_1):
    update = submitted(open_round, "1.1", editor_group_1)
    round_close(round=open_round, include_unapproved=True, by=admin_user)
    update.refresh_from_db()
    assert update_allowed_actions(lead_group_1, update) == []
    assert update_allowed_actions(admin_user, update) == []
    with pytest.raises(PermissionDenied):
        update_transition(update=update, action=UpdateAction.APPROVE, by=lead_group_1)
    draft = update_of(open_round, "1.2")
    with pytest.raises(PermissionDenied):
        update_save(update=draft, data={"achieved": "x"}, expected_version=1, by=admin_user)
    open_round.refresh_from_db()
    assert open_round.include_unapproved is True


def test_reopening_needs_a_reason_and_is_recorded(open_round, admin_user):
    round_close(round=open_round, include_unapproved=False, by=admin_user)
    with pytest.raises(ValidationError, match="begründen"):
        round_reopen(round=open_round, reason="  ", by=admin_user)
    reopened = round_reopen(round=open_round, reason="Nachtrag zu 1.1", by=admin_user)
    assert reopened.state == RoundState.OPEN
    assert reopened.events.last().reason == "Nachtrag zu 1.1"


def test_a_closed_round_reports_approved_updates_and_falls_back_for_the_rest(
    open_round, programme, admin_user, editor_group_1, lead_group_1
):
    from rounds.selectors import round_statuses

    first = submitted(open_round, "1.1", editor_group_1)
    update_transition(update=first, action=UpdateAction.APPROVE, by=lead_group_1)
    round_close(round=open_round, include_unapproved=False, by=admin_user)
    second = ReportingRoundFactory(
        programme=programme,
        name="Sachstand 2/2027",
        reporting_date=date(2027, 9, 30),
        open=True,
        by=admin_user,
    )
    for number in ("1.1", "1.2"):
        update = update_of(second, number)
        update = update_save(
            update=update,
            data={
                "traffic_light": TrafficLight.CRITICAL,
                "traffic_light_reason": "Verzug",
                "achieved": f"Neu {number}",
            },
            expected_version=update.version,
            by=editor_group_1,
        )
        update_transition(update=update, action=UpdateAction.SUBMIT, by=editor_group_1)
    measures = {m.number: m.pk for m in programme.measures.all()}

    # Not approved in round 2: 1.1 shows round 1's approved status, 1.2 has none.
    round_close(round=second, include_unapproved=False, by=admin_user)
    statuses = round_statuses(round=second)
    assert statuses[measures["1.1"]]["round"] == "Sachstand 1/2027"
    assert statuses[measures["1.1"]]["traffic_light"] == TrafficLight.ON_TRACK
    assert measures["1.2"] not in statuses

    # Included as submitted: both show round 2's text, marked not approved.
    second.include_unapproved = True
    statuses = round_statuses(round=second)
    assert statuses[measures["1.1"]]["achieved"] == "Neu 1.1"
    assert statuses[measures["1.1"]]["approved"] is False
    assert statuses[measures["1.2"]]["traffic_light_label"] == "kritisch"
