"""A public programme with something in every field the public must never see."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache

from kpis.models import KPI
from kpis.services import kpi_value_record
from measures.models import Measure
from reports.models import ReportState
from reports.services import report_build, report_publish, round_close_and_report
from rounds.models import StatusUpdate, TrafficLight, UpdateAction
from rounds.services import round_create, round_open, update_save, update_transition

# Distinctive texts planted in internal fields: none may appear on a public page or file.
SECRET = {
    "decision_needed": "GEHEIM-Entscheidungsbedarf-Quokka",
    "internal_reason": "GEHEIM-interne-Begruendung-Wombat",
    "submitted_achieved": "GEHEIM-eingereicht-Sachstand-Kiwi",
    "submitted_next_steps": "GEHEIM-eingereicht-Schritte-Lemur",
    "draft_achieved": "GEHEIM-Entwurf-Sachstand-Tapir",
    "returned_comment": "GEHEIM-Rueckgabe-Kommentar-Okapi",
    "approval_comment": "GEHEIM-Freigabe-Kommentar-Dingo",
    "editor_last_name": "Zwiebelmann",
    "editor_first_name": "Zacharias",
    "editor_email": "zacharias.zwiebelmann@example.org",
    "editor_username": "zzwiebel",
    "lead_last_name": "Pfefferkorn",
    "lead_email": "paula.pfefferkorn@example.org",
    "kpi_note": "GEHEIM-Kennzahl-Notiz-Gnu",
    "older_approved": "GEHEIM-alter-Sachstand-Yak",
}
# Texts the public is meant to read: the crawl must find them, or it proves nothing.
PUBLIC = {
    "achieved": "Oeffentlich-Sachstand-Pinguin",
    "next_steps": "Oeffentlich-Schritte-Robbe",
    "reason": "Oeffentlich-Begruendung-Otter",
}
ROUND_DATE = date(2026, 9, 30)


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Each test starts with no cached public page: the version row is rolled back between
    tests, so a page cached by an earlier test would have the same key."""
    cache.clear()


@pytest.fixture
def public_programme(programme):
    programme.is_public = True
    programme.save(update_fields=["is_public"])
    return programme


@pytest.fixture
def insiders(programme):
    editor = User.objects.create_user(
        SECRET["editor_username"],
        SECRET["editor_email"],
        "pw",
        first_name=SECRET["editor_first_name"],
        last_name=SECRET["editor_last_name"],
    )
    lead = User.objects.create_user(
        "ppfeffer", SECRET["lead_email"], "pw", first_name="Paula", last_name="Pfefferkorn"
    )
    group = programme.working_groups.get(number=1)
    group.editors.add(editor)
    group.leads.add(lead)
    return editor, lead


def _update(round_, number):
    return StatusUpdate.objects.get(round=round_, measure__number=number)


def _write(round_, number, *, by, **data):
    update = _update(round_, number)
    return update_save(update=update, data=data, expected_version=update.version, by=by)


def _submit(update, by):
    return update_transition(update=update, action=UpdateAction.SUBMIT, by=by)


@pytest.fixture
def planted(public_programme, insiders, admin_user, settings, tmp_path):
    """A closed round of the public programme, reported and published, with:

    1.1 approved: public texts, and an Entscheidungsbedarf; 1.2 approved with an Ampel reason
    marked internal; 1.3 submitted, not approved; 1.4 a draft; 1.5 returned with a comment,
    then approved in an older round only. KPI values entered by a named editor with a note.
    """
    settings.MEDIA_ROOT = tmp_path / "media"
    editor, lead = insiders
    older = round_open(
        round=round_create(
            programme=public_programme,
            name="Sachstand 1/2026",
            reporting_date=date(2026, 3, 31),
            update_deadline=date(2026, 4, 15),
            review_deadline=date(2026, 4, 30),
        ),
        by=admin_user,
    )
    update = _write(
        older,
        "1.1",
        by=editor,
        traffic_light=TrafficLight.ON_TRACK,
        achieved=SECRET["older_approved"],
    )
    update_transition(update=_submit(update, editor), action=UpdateAction.APPROVE, by=lead)
    round_close_and_report(round=older, include_unapproved=False, by=admin_user, enqueue=False)

    round_ = round_open(
        round=round_create(
            programme=public_programme,
            name="Sachstand 3/2026",
            reporting_date=ROUND_DATE,
            update_deadline=date(2026, 10, 15),
            review_deadline=date(2026, 10, 31),
        ),
        by=admin_user,
    )
    update = _write(
        round_,
        "1.1",
        by=editor,
        traffic_light=TrafficLight.AT_RISK,
        traffic_light_reason=PUBLIC["reason"],
        achieved=PUBLIC["achieved"],
        next_steps=PUBLIC["next_steps"],
        decision_needed=SECRET["decision_needed"],
    )
    update_transition(
        update=_submit(update, editor),
        action=UpdateAction.APPROVE,
        by=lead,
        comment=SECRET["approval_comment"],
    )
    update = _write(
        round_,
        "1.2",
        by=editor,
        traffic_light=TrafficLight.CRITICAL,
        traffic_light_reason=SECRET["internal_reason"],
        traffic_light_reason_internal=True,
        achieved="Vertrag geschlossen.",
    )
    update_transition(update=_submit(update, editor), action=UpdateAction.APPROVE, by=lead)
    _submit(
        _write(
            round_,
            "1.3",
            by=editor,
            traffic_light=TrafficLight.ON_TRACK,
            achieved=SECRET["submitted_achieved"],
            next_steps=SECRET["submitted_next_steps"],
        ),
        editor,
    )
    _write(round_, "1.4", by=editor, achieved=SECRET["draft_achieved"])
    update = _submit(
        _write(round_, "1.5", by=editor, traffic_light=TrafficLight.ON_TRACK, achieved="Plan."),
        editor,
    )
    update_transition(
        update=update, action=UpdateAction.RETURN, by=lead, comment=SECRET["returned_comment"]
    )

    measure = Measure.objects.get(programme=public_programme, number="1.1")
    kpi = KPI.objects.create(measure=measure, name="Digitale Anträge", unit="Stück", order=1)
    for day, value in ((date(2026, 1, 31), 10), (date(2026, 6, 30), 25)):
        kpi_value_record(
            kpi=kpi, date=day, value=Decimal(value), note=SECRET["kpi_note"], by=editor
        )

    report = round_close_and_report(
        round=round_,
        include_unapproved=False,
        include_internal=False,
        ds_number="17001-26",
        by=admin_user,
        enqueue=False,
    )
    report_build(report_id=report.pk)
    report.refresh_from_db()
    assert report.state == ReportState.DONE, report.error
    report_publish(report=report, by=admin_user)
    return {"round": round_, "report": report, "older": older}
