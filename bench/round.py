"""Opening and closing a reporting round of 1,000 measures on PostgreSQL. Prints figures;
asserts nothing.

    .venv/bin/python bench/round.py [--measures 1000]

Works in a throwaway database `<name>_bench_round` on the PostgreSQL server of DATABASE_URL
(default: postgres://postgres@127.0.0.1:5432, database `sachstand_bench_round`), dropped at the
end; the file-system broker in a temporary folder takes the messages (the e-mails of the
opening, the report build). The steps:

1. an earlier round, opened and closed with every update approved (set up, not timed), so that
   the timed opening pre-fills each update from the last approved one, as in real life;
2. opening the next round: one status update per measure, pre-filled (target < 5 s);
3. closing it with its report requested (`round_close_and_report`: lock, close, report row,
   build sent on commit), then freezing the report's snapshot (what the worker does first:
   every measure's data and its round status).
"""

import argparse
import importlib.util
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
TARGET_OPEN_S = 5.0


def _database_urls() -> tuple[str, str, str]:
    """(server URL to create databases from, bench database URL, bench database name)."""
    given = os.environ.get("DATABASE_URL", "")
    if not given.startswith("postgres"):
        given = "postgres://postgres@127.0.0.1:5432/sachstand"
    parts = urlsplit(given)
    name = (parts.path.strip("/") or "sachstand") + "_bench_round"
    server = urlunsplit(parts._replace(path="/postgres"))
    return server, urlunsplit(parts._replace(path=f"/{name}")), name


def _recreate(server: str, name: str, *, drop_only: bool = False) -> None:
    import psycopg2

    connection = psycopg2.connect(server)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def _synthetic_programme(size: int):
    """The programme generator of bench/report.py (texts cycling through the seed)."""
    spec = importlib.util.spec_from_file_location("bench_report", BASE_DIR / "bench" / "report.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from transfer.seed import read_seed

    return module._synthetic_programme(size, read_seed())


def _editors(programme) -> None:
    """An editor and a lead per working group, so the opening has e-mails to send."""
    from django.contrib.auth.models import User

    for group in programme.working_groups.all():
        editor = User.objects.create_user(f"editor{group.number}", f"e{group.number}@example.org")
        lead = User.objects.create_user(f"lead{group.number}", f"l{group.number}@example.org")
        group.editors.add(editor)
        group.leads.add(lead)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--measures", type=int, default=1000)
    args = parser.parse_args()

    server, url, name = _database_urls()
    _recreate(server, name)
    workdir = tempfile.TemporaryDirectory(prefix="sachstand-bench-round-")
    os.environ.update(
        DATABASE_URL=url,
        MEDIA_ROOT=str(Path(workdir.name) / "media"),
        SACHSTAND_VAR_DIR=str(Path(workdir.name) / "var"),
        DJANGO_SETTINGS_MODULE="masterplan.settings",
    )
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.pop("CELERY_RESULT_BACKEND", None)
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    try:
        _run(args.measures, name)
    finally:
        from django.db import connections

        connections.close_all()
        _recreate(server, name, drop_only=True)
        workdir.cleanup()


def _run(size: int, name: str) -> None:
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from reports.models import StatusReport
    from reports.services import report_freeze, round_close_and_report
    from rounds.models import StatusUpdate, TrafficLight, UpdateState
    from rounds.services import round_close, round_create, round_open

    call_command("migrate", verbosity=0)
    programme = _synthetic_programme(size)
    _editors(programme)
    admin = User.objects.create_superuser("admin", "admin@example.org", "x")
    print(f"PostgreSQL database {name}, {size} measures, 4 working groups")

    earlier = round_create(
        programme=programme,
        name="Sachstand 2/2026",
        reporting_date=date(2026, 9, 30),
        update_deadline=date(2026, 10, 15),
        review_deadline=date(2026, 10, 30),
    )
    round_open(round=earlier, by=admin)
    StatusUpdate.objects.filter(round=earlier).update(
        state=UpdateState.APPROVED,
        traffic_light=TrafficLight.ON_TRACK,
        achieved="Die Arbeiten laufen nach Plan; die Ausschreibung ist veröffentlicht.",
        next_steps="Zuschlag erteilen.",
    )
    round_close(round=earlier, include_unapproved=False, by=admin)

    current = round_create(
        programme=programme,
        name="Sachstand 1/2027",
        reporting_date=date(2027, 3, 31),
        update_deadline=date(2027, 4, 15),
        review_deadline=date(2027, 4, 30),
    )
    started = time.perf_counter()
    round_open(round=current, by=admin)  # the transaction commits, the e-mail task is sent
    opened_s = time.perf_counter() - started
    created = StatusUpdate.objects.filter(round=current).count()
    prefilled = StatusUpdate.objects.filter(round=current).exclude(achieved="").count()
    print(
        f"  open:   {opened_s:6.2f} s  ({created} updates created, {prefilled} pre-filled)"
        f"  target < {TARGET_OPEN_S:.0f} s  {'OK' if opened_s < TARGET_OPEN_S else 'MISSED'}"
    )

    # Most approved, some submitted only, some never touched, a few critical.
    updates = StatusUpdate.objects.filter(round=current).order_by("id")
    ids = list(updates.values_list("pk", flat=True))
    StatusUpdate.objects.filter(pk__in=ids[: size * 7 // 10]).update(state=UpdateState.APPROVED)
    StatusUpdate.objects.filter(pk__in=ids[size * 7 // 10 : size * 9 // 10]).update(
        state=UpdateState.SUBMITTED
    )
    StatusUpdate.objects.filter(pk__in=ids[::20]).update(
        traffic_light=TrafficLight.CRITICAL,
        traffic_light_reason="Der Lieferant ist im Verzug.",
        decision_needed="Mehrkosten freigeben.",
    )

    started = time.perf_counter()
    report = round_close_and_report(round=current, include_unapproved=True, by=admin)
    closed_s = time.perf_counter() - started
    report = StatusReport.objects.get(pk=report.pk)
    sent = "sent to the broker" if report.sent_at else "NOT sent"
    print(f"  close:  {closed_s:6.2f} s  (round closed, report {report.pk} requested, {sent})")

    started = time.perf_counter()
    snapshot = report_freeze(report=report)
    frozen_s = time.perf_counter() - started
    with_status = sum(
        1 for group in snapshot["groups"] for m in group["measures"] if m.get("round_status")
    )
    print(
        f"  snapshot: {frozen_s:4.2f} s  ({with_status} measures with a round status, "
        f"{snapshot['round']['approved']} von {snapshot['round']['measures']} freigegeben)"
    )
    print(f"  open + close + snapshot: {opened_s + closed_s + frozen_s:.2f} s")


if __name__ == "__main__":
    main()
