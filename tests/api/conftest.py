"""A public programme with something planted in every field the public must never read.

`world` builds it through the real services: a closed round whose approved updates carry an
Entscheidungsbedarf and an internal Ampel reason (and were once returned with a comment, so the
history has it), a running round with a submitted and a draft update, an editor and lead whose
name and e-mail address are on every update and KPI value, a programme that is not public, and
reports in every publication state.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from api.services import api_token_create
from kpis.models import KPI
from kpis.services import kpi_value_record
from measures.models import Measure
from reports.models import ReportState, StatusReport
from rounds.models import StatusUpdate, UpdateAction
from rounds.services import (
    round_close,
    round_create,
    round_open,
    update_save,
    update_transition,
)
from tests.factories import MeasureFactory, ProgrammeFactory, UserFactory

# Texts that must never reach an anonymous caller.
SECRETS = {
    "decision_needed": "ENTSCHEIDUNGSBEDARF-GEHEIM-4711",
    "internal_reason": "BEGRUENDUNG-NUR-INTERN-4712",
    "unapproved": "NICHT-FREIGEGEBEN-4713",
    "draft": "ENTWURF-TEXT-4714",
    "hidden_programme": "NICHT-OEFFENTLICHES-PROGRAMM-4715",
    "history": "RUECKGABE-KOMMENTAR-4716",
    "unpublished_report": "UNVEROEFFENTLICHT-4717",
    "withdrawn_report": "ZURUECKGEZOGEN-4718",
    "committee_report": "LENKUNGSKREIS-FASSUNG-4719",
    "editor_first_name": "Xaverius",
    "editor_last_name": "Geheimnisträger",
    "editor_username": "xgeheim4720",
    "editor_email": "xaverius.geheim@example.org",
}
# Texts an anonymous caller should read (so the scan reads real data).
PUBLIC_ACHIEVED = "Öffentlicher Sachstand OEFFENTLICH-0815"
PUBLIC_REASON = "Öffentliche Begründung OEFFENTLICH-0816"
PUBLIC_REPORT = "Öffentlicher Bericht OEFFENTLICH-0817"


@dataclass
class World:
    programme: object
    hidden_programme: object
    editor: object
    measure_internal: Measure  # approved update with an internal reason
    measure_public: Measure  # approved update with a public reason
    closed_round: object
    running_round: object
    public_report: StatusReport
    unpublished_report: StatusReport


def _save(update, by, **data):
    update.refresh_from_db()
    return update_save(update=update, data=data, expected_version=update.version, by=by)


def _act(update, by, action, comment=""):
    update.refresh_from_db()
    return update_transition(update=update, action=action, by=by, comment=comment)


def _report(programme, title, *, published=False, withdrawn=False, include_internal=False):
    report = StatusReport.objects.create(
        programme=programme,
        title=title,
        ds_number="4242-26",
        report_date=date(2026, 6, 30),
        include_internal=include_internal,
        state=ReportState.DONE,
        finished_at=timezone.now(),
        published_at=timezone.now() if published else None,
        withdrawn_at=timezone.now() if withdrawn else None,
        page_count=1,
    )
    report.file.save(f"{title}.pdf", ContentFile(b"%PDF-1.4\n% " + title.encode() + b"\n"))
    return report


@pytest.fixture
def world(programme, admin_user, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path / "media"
    programme.is_public = True
    programme.save(update_fields=["is_public"])
    group = programme.working_groups.get(number=1)
    editor = UserFactory(
        username=SECRETS["editor_username"],
        first_name=SECRETS["editor_first_name"],
        last_name=SECRETS["editor_last_name"],
        email=SECRETS["editor_email"],
    )
    group.editors.add(editor)
    group.leads.add(editor)
    first, second = Measure.objects.filter(working_group=group).in_number_order()[:2]

    with django_capture_on_commit_callbacks(execute=False):  # no e-mails, no broker
        closed = round_create(
            programme=programme,
            name="Sachstand 1/2026",
            reporting_date=date(2026, 3, 31),
            update_deadline=date(2026, 4, 15),
            review_deadline=date(2026, 4, 30),
        )
        round_open(round=closed, by=admin_user)
        internal = StatusUpdate.objects.get(round=closed, measure=first)
        _save(
            internal,
            editor,
            traffic_light="gefaehrdet",
            traffic_light_reason=SECRETS["internal_reason"],
            traffic_light_reason_internal=True,
            achieved=PUBLIC_ACHIEVED,
            next_steps="Weiter so.",
            decision_needed=SECRETS["decision_needed"],
        )
        _act(internal, editor, UpdateAction.SUBMIT)
        _act(internal, editor, UpdateAction.RETURN, comment=SECRETS["history"])
        _act(internal, editor, UpdateAction.SUBMIT)
        _act(internal, editor, UpdateAction.APPROVE)
        public = StatusUpdate.objects.get(round=closed, measure=second)
        _save(
            public,
            editor,
            traffic_light="kritisch",
            traffic_light_reason=PUBLIC_REASON,
            achieved="Zweiter Sachstand.",
            decision_needed=SECRETS["decision_needed"],
        )
        _act(public, editor, UpdateAction.SUBMIT)
        _act(public, editor, UpdateAction.APPROVE)
        round_close(round=closed, include_unapproved=False, by=admin_user)

        running = round_create(
            programme=programme,
            name="Sachstand 2/2026",
            reporting_date=date(2026, 9, 30),
            update_deadline=date(2026, 10, 15),
            review_deadline=date(2026, 10, 30),
        )
        round_open(round=running, by=admin_user)
        submitted = StatusUpdate.objects.get(round=running, measure=first)
        _save(submitted, editor, achieved=SECRETS["unapproved"], decision_needed="")
        _act(submitted, editor, UpdateAction.SUBMIT)
        draft = StatusUpdate.objects.get(round=running, measure=second)
        _save(draft, editor, achieved=SECRETS["draft"])

    kpi = KPI.objects.filter(measure__programme=programme).first()
    kpi_value_record(kpi=kpi, date=date(2026, 1, 31), value=Decimal("12"), note="", by=editor)

    hidden = ProgrammeFactory(name=SECRETS["hidden_programme"])
    MeasureFactory(programme=hidden, title=SECRETS["hidden_programme"])

    public_report = _report(programme, PUBLIC_REPORT, published=True)
    _report(programme, SECRETS["withdrawn_report"], published=True, withdrawn=True)
    unpublished = _report(programme, SECRETS["unpublished_report"])
    _report(programme, SECRETS["committee_report"], include_internal=True)
    StatusReport.objects.filter(pk=public_report.pk).update(created_by=editor)
    return World(
        programme=programme,
        hidden_programme=hidden,
        editor=editor,
        measure_internal=first,
        measure_public=second,
        closed_round=closed,
        running_round=running,
        public_report=public_report,
        unpublished_report=unpublished,
    )


@pytest.fixture
def token_for():
    """`token_for(user)`: a new personal token's secret."""

    def make(user, name="Test"):
        return api_token_create(user=user, name=name).secret

    return make


@pytest.fixture
def bearer(token_for):
    """`bearer(user)`: the Authorization header of a new token of the user."""

    def make(user):
        return {"HTTP_AUTHORIZATION": f"Bearer {token_for(user)}"}

    return make
