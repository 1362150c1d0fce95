"""Reporting rounds on the staff pages: the measure carries its approved Ampel (list column,
filter), every step is in the measure's history, and the measure page and the overview show
the rounds through parts the rounds app serves."""

import re
from datetime import date

import pytest
from django.urls import reverse

from measures.models import ChangeRecord, Measure
from rounds.models import StatusUpdate, TrafficLight, UpdateAction
from rounds.services import (
    round_close,
    round_reopen,
    update_save,
    update_transition,
)
from tests.factories import ReportingRoundFactory

pytestmark = pytest.mark.django_db


def update_of(round_, number):
    return StatusUpdate.objects.get(round=round_, measure__number=number)


def approved(round_, number, editor, lead, light=TrafficLight.ON_TRACK, reason=""):
    update = update_of(round_, number)
    data = {"traffic_light": light, "achieved": "Konzept abgestimmt.", "next_steps": "Pilot"}
    if reason:
        data["traffic_light_reason"] = reason
    update = update_save(update=update, data=data, expected_version=update.version, by=editor)
    update = update_transition(update=update, action=UpdateAction.SUBMIT, by=editor)
    return update_transition(update=update, action=UpdateAction.APPROVE, by=lead, comment="passt")


def test_approval_sets_the_measures_ampel_without_a_new_version(
    open_round, editor_group_1, lead_group_1
):
    measure = Measure.objects.get(number="1.1")
    version = measure.version
    approved(open_round, "1.1", editor_group_1, lead_group_1, TrafficLight.CRITICAL, "Verzug")
    measure.refresh_from_db()
    assert measure.traffic_light == TrafficLight.CRITICAL
    assert measure.traffic_light_round == "Sachstand 1/2027"
    assert measure.traffic_light_date == date(2027, 3, 31)
    # An editor who has the measure's form open gets no conflict from an approval.
    assert measure.version == version


def test_an_older_rounds_approval_does_not_replace_a_later_ampel(
    open_round, programme, admin_user, editor_group_1, lead_group_1
):
    approved(open_round, "1.1", editor_group_1, lead_group_1, TrafficLight.DONE)
    round_close(round=open_round, include_unapproved=False, by=admin_user)
    older = ReportingRoundFactory(
        programme=programme,
        name="Sachstand 2/2026",
        reporting_date=date(2026, 9, 30),
        open=True,
        by=admin_user,
    )
    approved(older, "1.1", editor_group_1, lead_group_1, TrafficLight.ON_TRACK)
    measure = Measure.objects.get(number="1.1")
    assert measure.traffic_light == TrafficLight.DONE
    assert measure.traffic_light_round == "Sachstand 1/2027"


def test_every_update_step_is_in_the_measures_history_with_who_and_comment(
    open_round, editor_group_1, lead_group_1
):
    update = update_of(open_round, "1.1")
    update = update_save(
        update=update,
        data={"traffic_light": TrafficLight.ON_TRACK, "achieved": "Konzept"},
        expected_version=update.version,
        by=editor_group_1,
    )
    update = update_transition(update=update, action=UpdateAction.SUBMIT, by=editor_group_1)
    update = update_transition(
        update=update, action=UpdateAction.RETURN, by=lead_group_1, comment="Zahlen fehlen"
    )
    update = update_transition(update=update, action=UpdateAction.SUBMIT, by=editor_group_1)
    update_transition(update=update, action=UpdateAction.APPROVE, by=lead_group_1, comment="ok")

    records = list(
        ChangeRecord.objects.filter(measure__number="1.1", action=ChangeRecord.Action.ROUND)
        .order_by("changed_at", "pk")
        .values_list("changed_by__username", "comment", "diff")
    )
    assert [(who, comment) for who, comment, _diff in records] == [
        ("erika", ""),
        ("lars", "Zahlen fehlen"),
        ("erika", ""),
        ("lars", "ok"),
    ]
    assert records[1][2] == {"report_state": ["eingereicht", "zurückgegeben"]}
    assert records[3][2] == {
        "report_state": ["eingereicht", "freigegeben"],
        "traffic_light": ["", TrafficLight.ON_TRACK],
    }


def test_closing_and_reopening_are_in_every_measures_history(open_round, admin_user, programme):
    round_close(round=open_round, include_unapproved=False, by=admin_user)
    round_reopen(round=open_round, reason="Nachmeldung 2.3", by=admin_user)
    for measure in programme.measures.all():
        steps = list(
            measure.changes.filter(action=ChangeRecord.Action.ROUND)
            .order_by("changed_at", "pk")
            .values_list("object_label", "comment", "changed_by__username")
        )
        assert steps == [
            ("Berichtsrunde „Sachstand 1/2027“ abgeschlossen", "", "alice"),
            ("Berichtsrunde „Sachstand 1/2027“ wieder geöffnet", "Nachmeldung 2.3", "alice"),
        ]


def test_the_history_shows_the_step_with_its_comment_and_offers_no_restore(
    client, open_round, admin_user, editor_group_1, lead_group_1
):
    approved(open_round, "1.1", editor_group_1, lead_group_1)
    client.force_login(admin_user)
    measure = Measure.objects.get(number="1.1")
    page = client.get(reverse("measures:detail", args=[measure.pk])).content.decode()
    assert "Sachstandsmeldung „Sachstand 1/2027“: freigeben" in page
    assert '<q class="prewrap">passt</q>' in page
    for record in measure.changes.filter(action=ChangeRecord.Action.ROUND):
        assert reverse("measures:restore", args=[measure.pk, record.pk]) not in page


def test_the_list_shows_and_filters_the_ampel(
    client, open_round, committee_member, editor_group_1, lead_group_1
):
    approved(open_round, "1.1", editor_group_1, lead_group_1, TrafficLight.AT_RISK, "Personal")
    approved(open_round, "1.2", editor_group_1, lead_group_1, TrafficLight.ON_TRACK)
    client.force_login(committee_member)

    response = client.get(reverse("measures:list"), {"ampel": TrafficLight.AT_RISK})
    assert [row["number"] for row in response.context["measures"]] == ["1.1"]
    page = response.content.decode()
    # Icon and word, never colour alone.
    assert 'class="ampel ampel--gefaehrdet"' in page and "gefährdet</span>" in page

    response = client.get(reverse("measures:list"), {"ampel": "keine"})
    numbers = [row["number"] for row in response.context["measures"]]
    assert "1.1" not in numbers and "1.2" not in numbers and "1.3" in numbers

    response = client.get(reverse("measures:list"), {"sort": "ampel"})
    assert [row["number"] for row in response.context["measures"]][:2] == ["1.1", "1.2"]


def test_the_measure_page_loads_the_current_update_and_the_timeline(
    client, open_round, committee_member, editor_group_1, lead_group_1
):
    approved(open_round, "1.1", editor_group_1, lead_group_1, TrafficLight.ON_TRACK)
    measure = Measure.objects.get(number="1.1")
    client.force_login(committee_member)
    part_url = reverse("rounds:measure_part", args=[measure.pk])
    page = client.get(reverse("measures:detail", args=[measure.pk])).content.decode()
    assert f'hx-get="{part_url}"' in page and f'href="{part_url}"' in page  # works without JS

    part = client.get(part_url, headers={"HX-Request": "true"})
    text = part.content.decode()
    assert "<html" not in text
    assert "Meldung in „Sachstand 1/2027“" in text
    assert "Konzept abgestimmt." in text and "Pilot" in text
    assert reverse("rounds:update", args=[update_of(open_round, "1.1").pk]) in text
    assert [entry["round"].name for entry in part.context["timeline"]] == ["Sachstand 1/2027"]

    whole = client.get(part_url)  # followed as a plain link
    assert "<html" in whole.content.decode()


def test_the_overview_shows_my_tasks_first_the_rounds_progress_and_the_ampel(
    client, open_round, editor_group_1, lead_group_1
):
    approved(open_round, "1.1", editor_group_1, lead_group_1, TrafficLight.ON_TRACK)
    client.force_login(editor_group_1)
    overview = client.get(reverse("home")).content.decode()
    part_url = reverse("rounds:overview_part")
    # The part comes first on the page, before the counts.
    assert overview.index(f'hx-get="{part_url}"') < overview.index('id="h-status"')

    part = client.get(part_url, headers={"HX-Request": "true"}).content.decode()
    assert "Meine Aufgaben" in part and reverse("rounds:tasks") in part
    assert "Sachstandsmeldungen zu schreiben" in part
    assert "1 von 6 freigegeben" in part
    assert re.search(r"Arbeitsgruppe I: 1 von \d+ freigegeben", part)
    assert re.search(r"im Plan</span>\s*: 1<", part)
    assert re.search(r"keine Ampel: 5<", part)


def test_the_overview_shows_no_task_box_to_people_without_tasks(
    client, open_round, committee_member
):
    client.force_login(committee_member)
    part = client.get(reverse("rounds:overview_part"), headers={"HX-Request": "true"})
    assert "Meine Aufgaben" not in part.content.decode()
    assert "0 von 6 freigegeben" in part.content.decode()
