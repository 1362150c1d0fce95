"""Report build speed and memory. Prints figures; asserts nothing.

    .venv/bin/python bench/report.py [--runs 5] [--sizes 100,250,500] [--round]

Works in a throwaway SQLite database and media folder (never the development data):
1. the 25-measure seed report, median of several builds (target: < 3 s);
2. synthetic programmes of 100/250/500 measures, each built in a fresh child process so that
   its peak resident memory (ru_maxrss, which counts WeasyPrint's C allocations too) is its
   own (targets for 500: < 60 s, < 1 GiB, time growing no faster than linearly); every other
   KPI has four values, two of them new since a previous report, so the summary page lists
   them and those KPIs get their trend charts;
3. the overhead of our data loading and templating over WeasyPrint rendering the same final
   HTML (target: <= 30 %).

With `--round` the synthetic programmes are built as round reports: a closed reporting round
in which every measure has a status update (Ampel, Sachstand, next steps; every tenth one
kritisch with a reason and Entscheidungsbedarf; a fifth submitted but not approved), so each
measure page and the round's summary page carry the round's texts (target for 500: < 1 GiB).
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# Every other KPI has values on these dates: two before the previous report, two new since
# (the summary page lists them, the charts draw all four).
KPI_VALUE_DATES = ("2019-06-30", "2019-09-30", "2019-12-31", "2020-02-29")
TARGETS = {"seed_s": 3.0, "large_s": 60.0, "large_mib": 1024.0, "overhead": 0.30}


def _setup_django(workdir: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ["SACHSTAND_VAR_DIR"] = str(workdir / "var")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masterplan.settings")
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.pop("CELERY_RESULT_BACKEND", None)
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def _timed_build(programme_id: int, round_id: int | None = None) -> dict:
    """Snapshot, HTML and PDF of one programme, each step timed; then WeasyPrint alone again."""
    from datetime import date

    from masterplan.models import Programme
    from reports.changes import snapshot_changes
    from reports.pdf import render_report_pdf
    from reports.rendering import render_report_html
    from reports.snapshot import report_snapshot
    from rounds.models import ReportingRound

    programme = Programme.objects.get(pk=programme_id)
    # The previous report's frozen snapshot: stored JSON in real life, so not timed here.
    previous = report_snapshot(
        programme=programme, title="Bench", ds_number="1-98", report_date=date(2019, 9, 30)
    )
    round_ = ReportingRound.objects.get(pk=round_id) if round_id else None
    started = time.perf_counter()
    snapshot = report_snapshot(
        programme=programme,
        title="Bench",
        ds_number="1-99",
        report_date=date(2020, 3, 1),
        round=round_,
    )
    snapshot["changes"] = snapshot_changes(previous, snapshot)
    frozen = time.perf_counter()
    html = render_report_html(snapshot)
    templated = time.perf_counter()
    rendered = render_report_pdf(html)
    finished = time.perf_counter()
    return {
        "snapshot_s": frozen - started,
        "html_s": templated - frozen,
        "pdf_s": finished - templated,
        "total_s": finished - started,
        "pages": rendered.page_count,
        "measures": sum(len(group["measures"]) for group in snapshot["groups"]),
        "changed": len(snapshot["changes"]["measures"]),
        "charts": html.count('class="kpi-chart"'),
    }


def _child(programme_id: int, round_id: int | None) -> None:
    figures = _timed_build(programme_id, round_id)
    figures["maxrss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


def _synthetic_programme(size: int, seed: dict):
    """A programme of `size` measures whose texts cycle through the seed's measures."""
    from datetime import date
    from decimal import Decimal

    from kpis.models import KPI, KPIValue
    from masterplan.models import Programme, WorkingGroup
    from masterplan.services import legend_create
    from measures.models import Goal, Measure

    programme = Programme.objects.create(
        name=f"Synthetisch {size}",
        organisation="Bench",
        numbering_note=seed["programme"]["numbering_note"],
    )
    legend_create(programme=programme, legend=seed["legend"])
    templates = [m for group in seed["working_groups"] for m in group["measures"]]
    groups = [
        WorkingGroup.objects.create(
            programme=programme, number=number, numeral=numeral, name=f"Arbeitsgruppe {numeral}"
        )
        for number, numeral in enumerate(["I", "II", "III", "IV"], start=1)
    ]
    per_group = -(-size // len(groups))
    measures = []
    for index in range(size):
        template = templates[index % len(templates)]
        group = groups[index // per_group]
        ratings = template["ratings"]
        measures.append(
            Measure(
                programme=programme,
                working_group=group,
                number=f"{group.number}.{index % per_group + 1}",
                title=f"{template['title']} ({index + 1})",
                description=template["description"],
                cost_rating=ratings["cost"],
                personnel_rating=ratings["personnel"],
                timeframe_rating=ratings["timeframe"],
                quick_win=ratings["quick_win"],
            )
        )
    Measure.objects.bulk_create(measures, batch_size=200)
    measures = list(Measure.objects.filter(programme=programme).order_by("id"))
    goals, kpis = [], []
    for index, measure in enumerate(measures):
        template = templates[index % len(templates)]
        goals += [
            Goal(measure=measure, order=order, **goal)
            for order, goal in enumerate(template["goals"], start=1)
        ]
        kpis += [
            KPI(measure=measure, order=order, name=kpi["name"])
            for order, kpi in enumerate(template["kpis"], start=1)
        ]
    Goal.objects.bulk_create(goals, batch_size=500)
    KPI.objects.bulk_create(kpis, batch_size=500)
    KPIValue.objects.bulk_create(
        [
            KPIValue(
                kpi=kpi, date=date.fromisoformat(day), value=Decimal(kpi.pk % 97 + 3 + 5 * step)
            )
            for index, kpi in enumerate(
                KPI.objects.filter(measure__programme=programme).order_by("id")
            )
            if index % 2 == 0  # some KPIs are measured, others not yet
            for step, day in enumerate(KPI_VALUE_DATES)
        ],
        batch_size=500,
    )
    return programme


def _synthetic_round(programme) -> int:
    """A closed round of the programme in which every measure reported; returns its id."""
    from datetime import date

    from rounds.models import StatusUpdate, TrafficLight, UpdateState
    from rounds.services import round_close, round_create, round_open

    round_ = round_create(
        programme=programme,
        name="Sachstand 1/2020",
        reporting_date=date(2020, 3, 1),
        update_deadline=date(2020, 3, 1),
        review_deadline=date(2020, 3, 1),
    )
    round_open(round=round_)
    updates = StatusUpdate.objects.filter(round=round_).order_by("id")
    updates.update(
        state=UpdateState.APPROVED,
        traffic_light=TrafficLight.ON_TRACK,
        achieved=(
            "Die Ausschreibung ist veröffentlicht, drei Angebote liegen vor; die Pilotphase "
            "in zwei Fachbereichen ist abgeschlossen und ausgewertet."
        ),
        next_steps="Zuschlag erteilen, Rollout in weiteren Fachbereichen vorbereiten.",
        progress_percent=40,
    )
    ids = list(updates.values_list("pk", flat=True))
    StatusUpdate.objects.filter(pk__in=ids[::10]).update(
        traffic_light=TrafficLight.CRITICAL,
        traffic_light_reason="Der Lieferant ist drei Monate im Verzug.",
        decision_needed="Der Lenkungskreis muss über Mehrkosten von 12.500 Euro entscheiden.",
    )
    StatusUpdate.objects.filter(pk__in=ids[1::5]).update(state=UpdateState.SUBMITTED)
    round_close(round=round_, include_unapproved=True)
    return round_.pk


def _run_child(programme_id: int, workdir: Path, round_id: int | None = None) -> dict:
    extra = ["--round-id", str(round_id)] if round_id else []
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(programme_id), "--workdir", str(workdir), *extra],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="100,250,500")
    parser.add_argument(
        "--round", action="store_true", help="build the programmes as round reports"
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--round-id", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        _setup_django(Path(args.workdir))
        _child(args.child, args.round_id)
        return

    with tempfile.TemporaryDirectory(prefix="sachstand-bench-") as folder:
        workdir = Path(folder)
        _setup_django(workdir)
        from django.core.management import call_command

        from transfer.seed import programme_load_seed, read_seed

        call_command("migrate", verbosity=0)
        seed_programme = programme_load_seed()

        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        print(f"Load average at the start: {load} ({os.cpu_count()} CPUs)")
        print(f"Seed report (25 measures), {args.runs} builds in one process:")
        runs = [_timed_build(seed_programme.pk) for _ in range(args.runs)]
        median = statistics.median(run["total_s"] for run in runs)
        print(
            f"  first {runs[0]['total_s']:.2f} s, median {median:.2f} s "
            f"({runs[0]['pages']} pages)  target < {TARGETS['seed_s']:.0f} s  "
            f"{'OK' if median < TARGETS['seed_s'] else 'MISSED'}"
        )
        seed_cold = _run_child(seed_programme.pk, workdir)
        print(
            f"  cold in a fresh process: {seed_cold['total_s']:.2f} s, "
            f"peak RSS {seed_cold['maxrss_mib']:.0f} MiB"
        )

        seed = read_seed()
        sizes = [int(size) for size in args.sizes.split(",")]
        kind = (
            "round reports (a closed round, every measure reported)"
            if args.round
            else "programmes (no round)"
        )
        print(f"\nSynthetic {kind}, each built in a fresh process:")
        header = (
            f"  {'measures':>8} {'pages':>6} {'snapshot':>9} {'html':>7} {'weasyprint':>11} "
            f"{'total':>8} {'s/measure':>10} {'peak RSS':>9} {'overhead':>9} {'charts':>7}"
        )
        print(header)
        results = []
        for size in sizes:
            programme = _synthetic_programme(size, seed)
            round_id = _synthetic_round(programme) if args.round else None
            figures = _run_child(programme.pk, workdir, round_id)
            figures["overhead"] = (figures["snapshot_s"] + figures["html_s"]) / figures["pdf_s"]
            results.append(figures)
            print(
                f"  {figures['measures']:>8} {figures['pages']:>6} "
                f"{figures['snapshot_s']:>8.2f}s {figures['html_s']:>6.2f}s "
                f"{figures['pdf_s']:>10.2f}s {figures['total_s']:>7.2f}s "
                f"{figures['total_s'] / figures['measures']:>9.3f}s "
                f"{figures['maxrss_mib']:>6.0f}MiB {figures['overhead']:>8.1%} "
                f"{figures['charts']:>7}"
            )
        largest = results[-1]
        what = "round report" if args.round else "report without a round"
        print(f"\nLargest ({largest['measures']} measures, {what}, {largest['pages']} pages):")
        print(
            f"  time {largest['total_s']:.1f} s (target < {TARGETS['large_s']:.0f} s) "
            f"{'OK' if largest['total_s'] < TARGETS['large_s'] else 'MISSED'}"
        )
        print(
            f"  peak RSS of the {what} build {largest['maxrss_mib']:.0f} MiB"
            f" (target < {TARGETS['large_mib']:.0f} MiB)"
            f" {'OK' if largest['maxrss_mib'] < TARGETS['large_mib'] else 'MISSED'}"
        )
        if len(results) > 1:
            first = results[0]
            growth = (largest["total_s"] / first["total_s"]) / (
                largest["measures"] / first["measures"]
            )
            print(
                f"  scaling {first['measures']}→{largest['measures']} measures: time ×"
                f"{largest['total_s'] / first['total_s']:.2f} for ×"
                f"{largest['measures'] / first['measures']:.2f} measures "
                f"(ratio {growth:.2f}; ≤ ~1.1 means linear) "
                f"{'OK' if growth <= 1.15 else 'SUPERLINEAR'}"
            )
        worst = max(result["overhead"] for result in results)
        print(
            f"  our data loading + templating over WeasyPrint on the same HTML: "
            f"at most {worst:.1%} (target <= {TARGETS['overhead']:.0%}) "
            f"{'OK' if worst <= TARGETS['overhead'] else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
