"""A closed demo round with approved status updates, so that a new user sees Ampeln on the staff
pages and on the public site at once. Created only on request (`make run` runs
`create_demo_round`); the texts are examples, not the city's real state of work."""

from datetime import date

from django.db import transaction

from masterplan.models import Programme
from measures.models import TrafficLight

from .models import ReportingRound, UpdateAction
from .services import round_close, round_create, round_open, update_save, update_transition

DEMO_ROUND_NAME = "Demo: Sachstand 2/2020"

# number, Ampel, reason, achieved, next steps, progress in %, Entscheidungsbedarf (internal)
DEMO_UPDATES = (
    (
        "1.1",
        TrafficLight.ON_TRACK,
        "",
        "Pilotgruppe mit 40 privaten Geräten eingerichtet, Nutzungsrichtlinie abgestimmt.",
        "Ausweitung auf zwei weitere Fachbereiche.",
        40,
        "",
    ),
    (
        "1.4",
        TrafficLight.AT_RISK,
        "Die Ausschreibung verzögert sich um ein Quartal.",
        "Fachkonzept E-Akte fertig, Pilotämter benannt.",
        "Vergabe und Beginn der Pilotierung.",
        25,
        "",
    ),
    (
        "1.7",
        TrafficLight.DONE,
        "",
        "Die Konferenzplattform steht allen Beschäftigten zur Verfügung.",
        "",
        100,
        "",
    ),
    (
        "2.1",
        TrafficLight.NOT_STARTED,
        "",
        "Der Beginn ist für 2021 geplant.",
        "Projektauftrag erstellen.",
        0,
        "",
    ),
    (
        "3.1",
        TrafficLight.ON_TRACK,
        "",
        "Die Pilotbereiche arbeiten mobil, eine erste Auswertung liegt vor.",
        "Dienstvereinbarung vorbereiten.",
        60,
        "",
    ),
    (
        "3.5",
        TrafficLight.CRITICAL,
        "Für die Einführung fehlen Personalressourcen.",
        "Marktsichtung abgeschlossen.",
        "Entscheidung über die Priorisierung.",
        15,
        "Soll die elektronische Zeiterfassung vor dem Mitarbeiterportal umgesetzt werden?",
    ),
)


@transaction.atomic
def demo_round_create(*, programme: Programme, by) -> ReportingRound | None:
    """Create, fill, approve and close the demo round; nothing if the programme has rounds."""
    if programme.rounds.exists():
        return None
    round_ = round_create(
        programme=programme,
        name=DEMO_ROUND_NAME,
        reporting_date=date(2020, 12, 31),
        update_deadline=date(2021, 1, 15),
        review_deadline=date(2021, 1, 31),
    )
    round_ = round_open(round=round_, by=by)
    for number, light, reason, achieved, next_steps, progress, decision in DEMO_UPDATES:
        update = round_.updates.get(measure__number=number)
        data = {
            "traffic_light": light,
            "traffic_light_reason": reason,
            "achieved": achieved,
            "next_steps": next_steps,
            "progress_percent": progress,
            "decision_needed": decision,
        }
        update = update_save(update=update, data=data, expected_version=update.version, by=by)
        update = update_transition(update=update, action=UpdateAction.SUBMIT, by=by)
        update_transition(update=update, action=UpdateAction.APPROVE, by=by)
    return round_close(round=round_, include_unapproved=False, by=by)
