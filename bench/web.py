"""Web page speed: 1,000 measures on PostgreSQL behind gunicorn, 8 concurrent clients.

    .venv/bin/python bench/web.py [--measures 1000] [--clients 8] [--requests 400] [--keep]

1. Creates a fresh database (sachstand_bench_web), migrates, loads the seed programme and adds
   measures up to --measures (3 goals, 1 KPI and 2 history entries each) and a logged-in editor.
2. Starts gunicorn (production settings: DEBUG off, whitenoise with collected static files)
   on a free port, logs in once and shares the session cookie with the clients.
3. Each page gets --requests requests from --clients threads (a plain http.client load
   generator, no extra dependency); prints median and p95 per page.

Target (issue #4): median < 150 ms for the list and the detail page. Prints; asserts nothing.
"""

import argparse
import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DATABASE = "sachstand_bench_web"
STATIC_ROOT = Path("/tmp/sachstand-bench-web-static")
PYTHON = sys.executable


def fresh_database() -> None:
    import psycopg2

    connection = psycopg2.connect(f"{PG}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{DATABASE}"')
    connection.close()


def drop_database() -> None:
    import psycopg2

    connection = psycopg2.connect(f"{PG}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    connection.close()


def environment() -> dict:
    return {
        **os.environ,
        "DATABASE_URL": f"{PG}/{DATABASE}",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_ROOT": str(STATIC_ROOT),
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "LOG_LEVEL": "WARNING",
        "SACHSTAND_VAR_DIR": "/tmp/sachstand-bench-web-var",
    }


def seed(total: int) -> None:
    """Runs in a child process with the bench database configured: adds synthetic measures."""
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masterplan.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User

    from kpis.models import KPI
    from masterplan.models import Level, Programme, QuickWin, Timeframe
    from measures.models import ChangeRecord, Goal, GoalStatus, Measure, MeasureStatus

    rng = random.Random(4)
    programme = Programme.objects.get()
    groups = list(programme.working_groups.order_by("number"))
    measures = []
    for i in range(total - Measure.objects.count()):
        group = groups[i % len(groups)]
        measures.append(
            Measure(
                programme=programme,
                working_group=group,
                number=f"{group.number}.{20 + i // len(groups)}",
                title=f"Synthetische Maßnahme {i}",
                description="Absatz eins.\n\n### Ziele\n\n- a\n- b",
                status=rng.choice(MeasureStatus.values),
                responsible_units="FB 11",
                cost_rating=rng.choice([*Level.values, ""]),
                personnel_rating=rng.choice([*Level.values, ""]),
                timeframe_rating=rng.choice([*Timeframe.values, ""]),
                quick_win=rng.choice([*QuickWin.values, ""]),
            )
        )
    created = Measure.objects.bulk_create(measures, batch_size=500)
    Goal.objects.bulk_create(
        [
            Goal(
                measure=m,
                order=n,
                text=f"Ziel {n} der Maßnahme {m.number}",
                target=f"bis Ende {2020 + n}",
                status=rng.choice(GoalStatus.values),
            )
            for m in created
            for n in (1, 2, 3)
        ],
        batch_size=1000,
    )
    KPI.objects.bulk_create([KPI(measure=m, order=1, name=f"Kennzahl {m.number}") for m in created])
    ChangeRecord.objects.bulk_create(
        [
            ChangeRecord(
                measure=m,
                measure_version=version,
                object_type="measure",
                object_label=m.title,
                action="created" if version == 1 else "updated",
                source="system",
                diff={} if version == 1 else {"status": ["geplant", m.status]},
                state={},
            )
            for m in created
            for version in (1, 2)
        ],
        batch_size=1000,
    )
    user = User.objects.create_user("bench", password="bench-pw")
    groups[0].editors.add(user)
    print(Measure.objects.count())


def manage(*args: str) -> None:
    subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment(),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def prepare(total: int) -> None:
    fresh_database()
    manage("migrate", "--noinput")
    manage("load_seed")
    manage("collectstatic", "--noinput")
    result = subprocess.run(
        [PYTHON, __file__, "--seed-only", str(total)],
        cwd=BASE_DIR,
        env=environment(),
        check=True,
        capture_output=True,
        text=True,
    )
    print(f"measures in the database: {result.stdout.strip()}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "masterplan.wsgi",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            "--log-level=warning",
        ],
        cwd=BASE_DIR,
        env=environment(),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not start")


def request(port: int, path: str, *, method="GET", body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response, data


def log_in(port: int) -> str:
    response, data = request(port, "/konto/login/")
    csrf_cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", "")).group(1)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', data).group(1).decode()
    body = urlencode({"username": "bench", "password": "bench-pw", "csrfmiddlewaretoken": token})
    response, _ = request(
        port,
        "/konto/login/",
        method="POST",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie}",
            "Referer": f"http://127.0.0.1:{port}/konto/login/",
        },
    )
    cookies = response.getheader("Set-Cookie", "")
    session = re.search(r"sessionid=([^;]+)", cookies)
    if response.status != 302 or not session:
        raise SystemExit(f"login failed: {response.status}")
    return f"sessionid={session.group(1)}; csrftoken={csrf_cookie}"


def measure_ids() -> list[int]:
    import psycopg2

    connection = psycopg2.connect(f"{PG}/{DATABASE}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM measures_measure")
        ids = [row[0] for row in cursor.fetchall()]
    connection.close()
    return ids


def load(port: int, cookie: str, paths: list[str], clients: int) -> tuple[list[float], int]:
    """Send every path once, from `clients` threads at the same time; latencies in ms."""
    queue = list(paths)
    lock = threading.Lock()
    timings: list[float] = []
    errors = 0

    def worker():
        nonlocal errors
        while True:
            with lock:
                if not queue:
                    return
                path = queue.pop()
            started = time.perf_counter()
            response, _ = request(port, path, headers={"Cookie": cookie})
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                timings.append(elapsed)
                if response.status != 200:
                    errors += 1

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings, errors


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measures", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=400, help="per page")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) * 2 + 1)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--seed-only", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_only:
        seed(args.seed_only)
        return

    prepare(args.measures)
    port = free_port()
    server = start_gunicorn(port, args.workers)
    try:
        cookie = log_in(port)
        ids = measure_ids()
        rng = random.Random(1)
        pages = {
            "list (page 1, number order)": ["/massnahmen/"] * args.requests,
            "list (filtered + sorted)": [
                "/massnahmen/?" + urlencode({"status": "geplant", "sort": "-cost", "q": "Ziel"})
            ]
            * args.requests,
            "list (page 10)": ["/massnahmen/?page=10"] * args.requests,
            "detail (random measure)": [
                f"/massnahmen/{rng.choice(ids)}/" for _ in range(args.requests)
            ],
            "overview": ["/"] * max(args.requests // 4, 20),
        }
        # Warm up every worker (imports, template loading, connections).
        load(port, cookie, ["/massnahmen/", f"/massnahmen/{ids[0]}/", "/"] * 10, args.clients)
        print(
            f"\n{args.measures} measures, PostgreSQL, gunicorn with {args.workers} sync workers,"
            f" {args.clients} concurrent clients\n"
        )
        print(f"{'page':32} {'requests':>8} {'median ms':>10} {'p95 ms':>8} {'errors':>6}")
        for name, paths in pages.items():
            started = time.perf_counter()
            timings, errors = load(port, cookie, paths, args.clients)
            wall = time.perf_counter() - started
            print(
                f"{name:32} {len(timings):8d} {statistics.median(timings):10.1f}"
                f" {percentile(timings, 0.95):8.1f} {errors:6d}   ({len(timings) / wall:.0f} req/s)"
            )
        print("\ntarget: median < 150 ms for the list and the detail page")
    finally:
        server.terminate()
        server.wait(timeout=20)
        if not args.keep:
            drop_database()


if __name__ == "__main__":
    main()
