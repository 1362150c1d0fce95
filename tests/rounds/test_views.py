import pytest
from django.core import mail
from django.urls import reverse

from rounds.models import RoundState, StatusUpdate, TrafficLight, UpdateState
from rounds.services import round_open
from rounds.tasks import notify_round_opened_task

pytestmark = pytest.mark.django_db


def update_of(round_, number):
    return StatusUpdate.objects.get(round=round_, measure__number=number)


def test_admin_creates_and_opens_a_round_and_editors_are_told(
    client, admin_user, editor_group_1, programme, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    response = client.post(
        reverse("rounds:new"),
        {
            "name": "Sachstand 1/2027",
            "reporting_date": "2027-03-31",
            "update_deadline": "2027-04-15",
            "review_deadline": "2027-04-30",
        },
    )
    round_url = response.url
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(round_url + "oeffnen/")
    assert response.status_code == 302
    assert len(callbacks) == 1  # the e-mails go out through the worker, after the commit

    round_ = programme.rounds.get()
    notify_round_opened_task(round_.pk)
    assert round_.state == RoundState.OPEN
    assert round_.updates.count() == 6
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["erika@example.org"]
    assert "Sachstand 1/2027" in message.subject
    link = "http://127.0.0.1:8000" + reverse("rounds:update", args=[update_of(round_, "1.1").pk])
    assert link in message.body
    assert link in message.alternatives[0][0]
    assert round_.notifications.get().items == [
        {"kind": "update_due", "number": m.number}
        for m in programme.measures.filter(working_group__number=1)
    ]


def test_a_redelivered_opening_task_sends_no_second_mail(
    planned_round, admin_user, editor_group_1, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        round_open(round=planned_round, by=admin_user)
    notify_round_opened_task(planned_round.pk)
    notify_round_opened_task(planned_round.pk)
    assert len(mail.outbox) == 1


def test_the_whole_cycle_through_the_pages(
    client, open_round, editor_group_1, lead_group_1, admin_user
):
    update = update_of(open_round, "1.1")
    url = reverse("rounds:update", args=[update.pk])

    client.force_login(editor_group_1)
    response = client.post(
        url,
        {
            "version": 1,
            "traffic_light": TrafficLight.AT_RISK,
            "traffic_light_reason": "",
            "achieved": "Konzept steht.",
        },
    )
    assert response.status_code == 200
    assert "Begründung" in response.content.decode()
    client.post(
        url,
        {
            "version": 1,
            "traffic_light": TrafficLight.AT_RISK,
            "traffic_light_reason": "Stelle unbesetzt",
            "achieved": "Konzept steht.\r\nAusschreibung läuft.",
            "next_steps": "Vergabe",
            "decision_needed": "Budgetfreigabe",
        },
    )
    update.refresh_from_db()
    assert update.achieved == "Konzept steht.\nAusschreibung läuft."
    client.post(reverse("rounds:transition", args=[update.pk, "submit"]), {"version": 2})

    client.force_login(lead_group_1)
    tasks = client.get(reverse("rounds:tasks")).content.decode()
    assert "1.1" in tasks
    response = client.post(reverse("rounds:transition", args=[update.pk, "return"]), {"version": 3})
    assert response.status_code == 400
    client.post(
        reverse("rounds:transition", args=[update.pk, "return"]),
        {"version": 3, "comment": "Zeitplan fehlt"},
    )

    client.force_login(editor_group_1)
    assert "Zeitplan fehlt" in client.get(url).content.decode()
    client.post(reverse("rounds:transition", args=[update.pk, "submit"]), {"version": 4})

    client.force_login(lead_group_1)
    client.post(reverse("rounds:transition", args=[update.pk, "approve"]), {"version": 5})
    update.refresh_from_db()
    assert update.state == UpdateState.APPROVED

    client.force_login(admin_user)
    page = client.get(reverse("rounds:detail", args=[open_round.pk])).content.decode()
    assert "1 von 6 freigegeben" in page
    client.post(reverse("reports:round_close", args=[open_round.pk]), {"include_unapproved": "0"})
    open_round.refresh_from_db()
    assert open_round.state == RoundState.CLOSED


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin_user", 200),
        ("editor_group_1", 200),
        ("editor_group_2", 403),
        ("committee_member", 403),
    ],
)
def test_who_may_save_an_update(client, open_round, request, persona, status):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    update = update_of(open_round, "1.1")
    response = client.post(
        reverse("rounds:update", args=[update.pk]),
        {"version": 1, "traffic_light": TrafficLight.ON_TRACK, "achieved": "x"},
    )
    assert response.status_code == (302 if status == 200 else 403)
    update.refresh_from_db()
    assert (update.achieved == "x") is (status == 200)


@pytest.mark.parametrize("persona", ["editor_group_1", "lead_group_1", "committee_member"])
@pytest.mark.parametrize("step", ["oeffnen", "pruefen", "abschliessen", "wieder-oeffnen"])
def test_only_admins_steer_rounds(client, planned_round, request, persona, step):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("rounds:step", args=[planned_round.pk, step]))
    assert response.status_code == 403
    planned_round.refresh_from_db()
    assert planned_round.state == RoundState.PLANNED


@pytest.mark.parametrize(
    "persona",
    ["admin_user", "editor_group_1", "editor_group_2", "lead_group_1", "committee_member"],
)
def test_everyone_signed_in_reads_the_round_pages(client, open_round, request, persona):
    client.force_login(request.getfixturevalue(persona))
    update = update_of(open_round, "2.1")
    for url in [
        reverse("rounds:list"),
        reverse("rounds:detail", args=[open_round.pk]),
        reverse("rounds:detail", args=[open_round.pk]) + "?gruppe=2&status=entwurf",
        reverse("rounds:detail", args=[open_round.pk]) + "?gruppe=x&status=unsinn",
        reverse("rounds:update", args=[update.pk]),
        reverse("rounds:tasks"),
    ]:
        assert client.get(url).status_code == 200, url


def test_a_stale_update_save_answers_409_and_keeps_the_other_save(
    client, open_round, editor_group_1
):
    client.force_login(editor_group_1)
    update = update_of(open_round, "1.1")
    url = reverse("rounds:update", args=[update.pk])
    client.post(url, {"version": 1, "achieved": "erste"})
    response = client.post(url, {"version": 1, "achieved": "zweite"})
    assert response.status_code == 409
    update.refresh_from_db()
    assert update.achieved == "erste"


def test_empty_states(client, admin_user, programme):
    client.force_login(admin_user)
    assert "noch keine Berichtsrunde" in client.get(reverse("rounds:list")).content.decode()
    tasks = client.get(reverse("rounds:tasks")).content.decode()
    assert "Keine Meldung wartet" in tasks
