"""Who may do what in the reporting rounds: every persona × every page and transition.

Personas (tests/conftest.py): admin (alice), editor of group I (erika), editor of group II
(emil), lead of group I (lars), steering committee (lena), anonymous. The update is the one of
measure 1.1 (group I). Outcomes: OK (200), SAVED (302 after a change), FORBIDDEN (403), LOGIN.
"""

import pytest
from django.urls import reverse

from measures.models import Measure
from rounds.models import RoundState, StatusUpdate, TrafficLight, UpdateAction, UpdateState
from rounds.services import round_close, update_save, update_transition
from tests.conftest import (
    FORBIDDEN,
    LOGIN,
    OK,
    ROUND_PERSONAS,
    SAVED,
    assert_outcome,
    login_as,
)

pytestmark = pytest.mark.django_db

EVERYONE = {p: OK for p in ROUND_PERSONAS[:-1]} | {"anonymous": LOGIN}
ONLY_ADMIN = {p: FORBIDDEN for p in ROUND_PERSONAS[:-1]} | {"admin": OK, "anonymous": LOGIN}


def only(*allowed, outcome=SAVED):
    return (
        {p: FORBIDDEN for p in ROUND_PERSONAS[:-1]}
        | {p: outcome for p in allowed}
        | {"anonymous": LOGIN}
    )


FILLED = {"traffic_light": TrafficLight.ON_TRACK, "achieved": "Konzept abgestimmt."}


def update_1_1(round_):
    return StatusUpdate.objects.get(round=round_, measure__number="1.1")


def filled(round_, by):
    update = update_1_1(round_)
    return update_save(update=update, data=FILLED, expected_version=update.version, by=by)


def submitted(round_, by):
    return update_transition(update=filled(round_, by), action=UpdateAction.SUBMIT, by=by)


# page: (method, url builder, data builder, expected outcome per persona)
PAGES = {
    "round list": ("get", lambda r, u: reverse("rounds:list"), None, EVERYONE),
    "new round form": ("get", lambda r, u: reverse("rounds:new"), None, ONLY_ADMIN),
    "create round": (
        "post",
        lambda r, u: reverse("rounds:new"),
        lambda r, u: {
            "name": "Sachstand 2/2027",
            "reporting_date": "2027-09-30",
            "update_deadline": "2027-10-15",
            "review_deadline": "2027-10-30",
        },
        only("admin"),
    ),
    "round page": ("get", lambda r, u: reverse("rounds:detail", args=[r.pk]), None, EVERYONE),
    "start review": (
        "post",
        lambda r, u: reverse("rounds:step", args=[r.pk, "pruefen"]),
        lambda r, u: {},
        only("admin"),
    ),
    "update page": ("get", lambda r, u: reverse("rounds:update", args=[u.pk]), None, EVERYONE),
    "save update": (
        "post",
        lambda r, u: reverse("rounds:update", args=[u.pk]),
        lambda r, u: {**FILLED, "version": u.version},
        only("admin", "editor_1"),
    ),
    "my tasks": ("get", lambda r, u: reverse("rounds:tasks"), None, EVERYONE),
    "measure part": (
        "get",
        lambda r, u: reverse("rounds:measure_part", args=[u.measure_id]),
        None,
        EVERYONE,
    ),
    "overview part": ("get", lambda r, u: reverse("rounds:overview_part"), None, EVERYONE),
    "updates spreadsheet": (
        "get",
        lambda r, u: reverse("transfer:round-updates-export", args=[r.pk]),
        None,
        EVERYONE,
    ),
    "updates upload form": (
        "get",
        lambda r, u: reverse("transfer:round-updates-import", args=[r.pk]),
        None,
        only("admin", "editor_1", "editor_2", outcome=OK),
    ),
}


@pytest.mark.parametrize("persona", ROUND_PERSONAS)
@pytest.mark.parametrize("page", PAGES)
def test_round_pages(client, round_personas, open_round, persona, page):
    method, url, data, expected = PAGES[page]
    update = update_1_1(open_round)
    login_as(client, round_personas, persona)
    if method == "get":
        response = client.get(url(open_round, update))
    else:
        response = client.post(url(open_round, update), data(open_round, update))
    assert_outcome(response, expected[persona])


# transition: (state the update is brought to first, expected outcome per persona)
TRANSITIONS = {
    UpdateAction.SUBMIT: ("filled", only("admin", "editor_1")),
    UpdateAction.RETURN: ("submitted", only("admin", "lead_1")),
    UpdateAction.APPROVE: ("submitted", only("admin", "lead_1")),
}
RESULT = {
    UpdateAction.SUBMIT: UpdateState.SUBMITTED,
    UpdateAction.RETURN: UpdateState.RETURNED,
    UpdateAction.APPROVE: UpdateState.APPROVED,
}


@pytest.mark.parametrize("persona", ROUND_PERSONAS)
@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_update_transitions(client, round_personas, open_round, editor_group_1, persona, action):
    start, expected = TRANSITIONS[action]
    update = (
        filled(open_round, editor_group_1)
        if start == "filled"
        else submitted(open_round, editor_group_1)
    )
    before = update.state
    login_as(client, round_personas, persona)
    response = client.post(
        reverse("rounds:transition", args=[update.pk, action]),
        {"version": update.version, "comment": "Bitte Zahlen ergänzen"},
    )
    assert_outcome(response, expected[persona])
    update.refresh_from_db()
    assert update.state == (RESULT[action] if expected[persona] == SAVED else before)


@pytest.mark.parametrize("persona", ROUND_PERSONAS)
def test_opening_a_round(client, round_personas, planned_round, persona):
    login_as(client, round_personas, persona)
    response = client.post(reverse("rounds:step", args=[planned_round.pk, "oeffnen"]))
    assert_outcome(response, only("admin")[persona])
    planned_round.refresh_from_db()
    opened = planned_round.state == RoundState.OPEN
    assert opened is (persona == "admin")


@pytest.mark.parametrize("persona", ROUND_PERSONAS)
def test_reopening_a_closed_round(client, round_personas, open_round, admin_user, persona):
    round_close(round=open_round, include_unapproved=False, by=admin_user)
    login_as(client, round_personas, persona)
    response = client.post(
        reverse("rounds:step", args=[open_round.pk, "wieder-oeffnen"]),
        {"reason": "Nachmeldung"},
    )
    assert_outcome(response, only("admin")[persona])
    open_round.refresh_from_db()
    assert (open_round.state == RoundState.OPEN) is (persona == "admin")


@pytest.mark.parametrize("persona", ROUND_PERSONAS)
def test_a_closed_rounds_update_cannot_be_saved_by_anyone(
    client, round_personas, open_round, admin_user, persona
):
    round_close(round=open_round, include_unapproved=False, by=admin_user)
    update = update_1_1(open_round)
    login_as(client, round_personas, persona)
    response = client.post(
        reverse("rounds:update", args=[update.pk]), {**FILLED, "version": update.version}
    )
    assert_outcome(response, LOGIN if persona == "anonymous" else FORBIDDEN)
    assert Measure.objects.get(number="1.1").traffic_light == ""
