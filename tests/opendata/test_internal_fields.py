"""Nothing internal reaches the OParl interface or the open data: a distinctive text planted in
every internal field (Entscheidungsbedarf, an Ampel reason marked internal, an update not
approved, an editor's name and e-mail, a committee report, a withdrawn report's title) appears
in no answer, no file and no PDF text, while what is public does."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from kpis.models import KPI
from kpis.services import kpi_value_record
from reports.models import ReportState, StatusReport
from reports.services import report_build, report_request
from rounds.models import StatusUpdate, TrafficLight, UpdateAction
from rounds.services import round_close, round_create, round_open, update_save, update_transition

from .conftest import crawl, pdf_text

pytestmark = pytest.mark.django_db

DECISION = "GEHEIM-ENTSCHEIDUNG-7431"
INTERNAL_REASON = "GEHEIM-AMPELGRUND-7431"
NOT_APPROVED = "GEHEIM-ENTWURF-7431"
EDITOR_NAME = "Geheimnisträgerin7431"
EDITOR_EMAIL = "geheim7431@example.org"
COMMITTEE_TITLE = "GEHEIM-LENKUNGSKREIS-7431"
WITHDRAWN_TITLE = "GEHEIM-ZURÜCKGEZOGEN-7431"
SECRETS = [
    DECISION,
    INTERNAL_REASON,
    NOT_APPROVED,
    EDITOR_NAME,
    EDITOR_EMAIL,
    "geheim7431",
    COMMITTEE_TITLE,
    WITHDRAWN_TITLE,
]
PUBLIC_ACHIEVED = "Öffentlich erreicht: das Glasfasernetz an 40 Schulen."


def _write(round_, number, *, by, **data):
    update = StatusUpdate.objects.get(round=round_, measure__number=number)
    update = update_save(update=update, data=data, expected_version=update.version, by=by)
    return update_transition(update=update, action=UpdateAction.SUBMIT, by=by)


@pytest.fixture
def planted(public_programme, admin_user, lead_group_1, media_root, seed_pdf):
    """A closed round with internal texts, its public report built and published, and the
    reports the public must never see."""
    editor = User.objects.create_user(
        "geheim7431", EDITOR_EMAIL, "pw", first_name="Gerda", last_name=EDITOR_NAME
    )
    public_programme.working_groups.get(number=1).editors.add(editor)
    round_ = round_open(
        round=round_create(
            programme=public_programme,
            name="Sachstand 1/2026",
            reporting_date=date(2026, 6, 30),
            update_deadline=date(2026, 7, 15),
            review_deadline=date(2026, 7, 31),
        ),
        by=admin_user,
    )
    approved = _write(
        round_,
        "1.1",
        by=editor,
        traffic_light=TrafficLight.CRITICAL,
        traffic_light_reason=INTERNAL_REASON,
        traffic_light_reason_internal=True,
        achieved=PUBLIC_ACHIEVED,
        next_steps="Vertrag nachverhandeln.",
        decision_needed=DECISION,
    )
    update_transition(update=approved, action=UpdateAction.APPROVE, by=lead_group_1)
    _write(round_, "1.2", by=editor, traffic_light=TrafficLight.ON_TRACK, achieved=NOT_APPROVED)
    kpi = KPI.objects.filter(measure__number="1.1", measure__programme=public_programme).first()
    kpi_value_record(kpi=kpi, date=date(2026, 6, 30), value=Decimal("40"), by=editor)
    round_close(round=round_, include_unapproved=False, by=admin_user)

    report = report_request(
        programme=public_programme,
        title="Anhang zum Sachstandsbericht",
        ds_number="4711-26",
        report_date=round_.reporting_date,
        round=round_,
        include_internal=False,
        by=editor,
        enqueue=False,
    )
    report_build(report_id=report.pk)
    report.refresh_from_db()
    assert report.state == ReportState.DONE, report.error
    assert report.can_be_published
    StatusReport.objects.filter(pk=report.pk).update(published_at=timezone.now())

    now = timezone.now()
    for title, internal, published, withdrawn in (
        # The committee's version, even if it were marked published by mistake.
        (COMMITTEE_TITLE, True, now, None),
        (WITHDRAWN_TITLE, False, now - timedelta(days=2), now - timedelta(days=1)),
    ):
        StatusReport.objects.create(
            programme=public_programme,
            title=title,
            ds_number=title,
            report_date=date(2026, 6, 30),
            include_internal=internal,
            state=ReportState.DONE,
            finished_at=now,
            published_at=published,
            withdrawn_at=withdrawn,
            created_by=editor,
        )
    return report


def test_no_internal_text_reaches_oparl_or_open_data(client, site_url, planted):
    since = (timezone.now() - timedelta(days=30)).isoformat(timespec="seconds")
    papers = f"/oparl/v1/body/{planted.programme_id}/papers/"
    answers = crawl(
        client,
        site_url,
        [
            "/oparl/v1/",
            papers + "?modified_since=" + since.replace("+", "%2B"),
            "/offene-daten/katalog.ttl",
            "/offene-daten/katalog.jsonld",
        ],
    )
    assert f"/oparl/v1/file/{planted.pk}/access/" in answers
    assert f"/oparl/v1/file/{planted.pk}/download/" in answers
    assert f"/offene-daten/programm/{planted.programme_id}/kennzahlen.csv" in answers

    for path, content in answers.items():
        text = pdf_text(content) if content.startswith(b"%PDF") else content.decode("utf-8-sig")
        for secret in SECRETS:
            assert secret not in text, (secret, path)
            assert secret.encode() not in content, (secret, path)

    # What is public is there: the approved Sachstand in the PDF and in the OParl text.
    paper = json.loads(answers[f"/oparl/v1/paper/{planted.pk}/"])
    assert PUBLIC_ACHIEVED in " ".join(paper["mainFile"]["text"].split())
    listing = json.loads(answers[papers + "?modified_since=" + since.replace("+", "%2B")])
    assert [item.get("deleted", False) for item in listing["data"]] == [False, True]
