"""`make run`'s demo round: a new user sees approved Ampeln and Sachstände at once, on the staff
pages and on the public site, and the internal Entscheidungsbedarf stays internal."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from measures.models import Measure, TrafficLight
from rounds.demo import DEMO_UPDATES
from rounds.models import RoundState, UpdateState
from transfer.seed import programme_load_seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(db):
    """The demo round reports on the seed's measures (this folder otherwise uses factories)."""
    return programme_load_seed()


@pytest.fixture
def demo(programme):
    call_command("create_demo_accounts", stdout=StringIO())
    out = StringIO()
    call_command("create_demo_round", stdout=out)
    assert "approved updates" in out.getvalue()
    return programme


def test_the_demo_round_is_closed_with_its_updates_approved(demo):
    round_ = demo.rounds.get()
    assert round_.state == RoundState.CLOSED
    approved = round_.updates.filter(state=UpdateState.APPROVED)
    assert sorted(approved.values_list("measure__number", flat=True)) == sorted(
        number for number, *_ in DEMO_UPDATES
    )
    assert Measure.objects.get(number="3.5").traffic_light == TrafficLight.CRITICAL


def test_the_public_site_shows_the_demo_status_but_not_what_the_committee_must_decide(demo, client):
    page = client.get(reverse("public:measure", args=[demo.pk, "3.5"])).content.decode()
    assert "Marktsichtung abgeschlossen." in page
    assert "Mitarbeiterportal umgesetzt" not in page  # the Entscheidungsbedarf


def test_running_it_again_changes_nothing(demo):
    out = StringIO()
    call_command("create_demo_round", stdout=out)
    assert "nothing to do" in out.getvalue()
    assert demo.rounds.count() == 1


def test_it_refuses_without_a_programme_or_an_admin(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="load_seed"):
        call_command("create_demo_round", stdout=StringIO())
