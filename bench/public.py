"""Public site speed: 16 anonymous clients against the public measure list and a measure page,
behind gunicorn on PostgreSQL with the seed programme made public.

    .venv/bin/python bench/public.py [--clients 16] [--requests 3000] [--port 18620] [--keep]

1. Creates a fresh database (sachstand_pub_bench, or BENCH_DATABASE), migrates, loads the seed
   and makes it public (`create_demo_accounts`), collects the static files.
2. Starts gunicorn (DEBUG off, 2 × cores + 1 sync workers) on --port.
3. Sends --requests requests per page from --clients threads (plain http.client, a new
   connection per request, as many browsers behind many addresses would), after a warm-up that
   fills every worker's page cache; then the same uncached (PUBLIC_CACHE_SECONDS=0) and as
   conditional GETs (If-None-Match, answered 304). Prints throughput (req/s), median and p95,
   and the load average of the machine.

Target (issue #12): at least 300 requests/s for cached pages on the 2-core machine. The load
generator shares the cores with gunicorn and PostgreSQL. Prints; asserts nothing.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import web as common  # noqa: E402  (bench/web.py: database, gunicorn and load helpers)

common.DATABASE = os.environ.get("BENCH_DATABASE", "sachstand_pub_bench")
common.STATIC_ROOT = Path("/tmp/sachstand-bench-public-static")


def prepare() -> int:
    common.fresh_database()
    common.manage("migrate", "--noinput")
    common.manage("load_seed")
    common.manage("create_demo_accounts")
    common.manage("collectstatic", "--noinput")
    import psycopg2

    connection = psycopg2.connect(f"{common.PG}/{common.DATABASE}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM masterplan_programme WHERE is_public")
        (programme_id,) = cursor.fetchone()
    connection.close()
    return programme_id


def start(port: int, workers: int, **env: str):
    original = common.environment

    def environment() -> dict:
        return {**original(), **env}

    common.environment = environment
    try:
        return common.start_gunicorn(port, workers)
    finally:
        common.environment = original


def stop(server) -> None:
    server.terminate()
    server.wait(timeout=20)


def run(port: int, pages: dict[str, str], requests: int, clients: int, headers=None) -> None:
    for name, path in pages.items():
        started = time.perf_counter()
        timings, errors = load(port, [path] * requests, clients, headers or {})
        wall = time.perf_counter() - started
        print(
            f"{name:34} {len(timings):8d} {len(timings) / wall:8.0f} "
            f"{statistics.median(timings):10.1f} {common.percentile(timings, 0.95):8.1f} "
            f"{errors:6d}"
        )


def load(port: int, paths: list[str], clients: int, headers: dict):
    """Like bench/web.py's load, with request headers and 200 or 304 counted as success."""
    import threading

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
            response, _ = common.request(port, path, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                timings.append(elapsed)
                if response.status not in (200, 304):
                    errors += 1

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings, errors


HEADER = f"{'page':34} {'requests':>8} {'req/s':>8} {'median ms':>10} {'p95 ms':>8} {'errors':>6}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=3000, help="per page")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) * 2 + 1)
    parser.add_argument("--port", type=int, default=18620)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    programme = prepare()
    pages = {
        "measure list": f"/oeffentlich/{programme}/massnahmen/",
        "measure page (1.2)": f"/oeffentlich/{programme}/massnahmen/1.2/",
    }
    print(
        f"\nseed programme (25 measures) public, PostgreSQL, gunicorn with {args.workers} sync "
        f"workers, {args.clients} concurrent clients, {args.requests} requests per page"
    )
    try:
        server = start(args.port, args.workers)
        try:
            # Warm up: every worker renders and caches both pages.
            load(args.port, list(pages.values()) * 50, args.clients, {})
            print(f"\ncached\n{HEADER}")
            run(args.port, pages, args.requests, args.clients)
            response, _ = common.request(args.port, pages["measure page (1.2)"])
            etag = response.getheader("ETag")
            print(f"\nconditional GET (If-None-Match, 304)\n{HEADER}")
            run(
                args.port,
                {"measure page (1.2)": pages["measure page (1.2)"]},
                args.requests,
                args.clients,
                {"If-None-Match": etag},
            )
        finally:
            stop(server)
        server = start(args.port, args.workers, PUBLIC_CACHE_SECONDS="0")
        try:
            load(args.port, list(pages.values()) * 10, args.clients, {})
            print(f"\nuncached (PUBLIC_CACHE_SECONDS=0)\n{HEADER}")
            run(args.port, pages, max(args.requests // 5, 100), args.clients)
        finally:
            stop(server)
    finally:
        if not args.keep:
            common.drop_database()
    print("\ntarget: at least 300 requests/s for cached pages")
    print(f"load average (1, 5, 15 min): {os.getloadavg()}")
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
