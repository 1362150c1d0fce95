import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import connection
from django.urls import reverse

from masterplan.celery import app as celery_app
from masterplan.roles import STEERING_COMMITTEE_GROUP
from masterplan.settings import media_storage
from transfer.seed import programme_load_seed

BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def programme(db):
    """The seed masterplan: 4 working groups, 25 measures, the legend."""
    return programme_load_seed()


@pytest.fixture
def small_programme(db):
    """Some programme with some measures, built from factories (tests/factories.py): working
    groups I–IV, measures 1.1, 1.2, 1.3, 2.1, 3.1 and 4.1. A test file that is not about the seed
    overrides `programme` with it, so the personas below use it too."""
    from tests.factories import small_programme_create

    return small_programme_create()


@pytest.fixture
def stale_programme(programme):
    """The seed, with every goal last touched long ago (before any recent report)."""
    from django.utils import timezone

    from measures.models import Goal

    Goal.objects.update(updated_at=timezone.make_aware(timezone.datetime(2026, 1, 1)))
    return programme


# Personas, as in the permission matrix of the web interface.
@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser("alice", "alice@example.org", "pw")


@pytest.fixture
def editor_group_1(programme):
    user = User.objects.create_user("erika", "erika@example.org", "pw")
    programme.working_groups.get(number=1).editors.add(user)
    return user


@pytest.fixture
def editor_group_2(programme):
    user = User.objects.create_user("emil", "emil@example.org", "pw")
    programme.working_groups.get(number=2).editors.add(user)
    return user


@pytest.fixture
def lead_group_1(programme):
    """The lead of working group I: approves or returns its measures' status updates."""
    user = User.objects.create_user("lars", "lars@example.org", "pw")
    programme.working_groups.get(number=1).leads.add(user)
    return user


@pytest.fixture
def committee_member(db):
    user = User.objects.create_user("lena", "lena@example.org", "pw")
    user.groups.add(Group.objects.get_or_create(name=STEERING_COMMITTEE_GROUP)[0])
    return user


# The permission matrices (tests/<app>/test_permissions.py) walk every page for each persona:
# admin (alice), editor of group I (erika), editor of group II (emil), steering committee
# (lena), anonymous. Expected outcomes: a status code, or LOGIN for a redirect to the login.
PERSONAS = ["admin", "editor_1", "editor_2", "committee", "anonymous"]
LOGIN = "login"
OK, FORBIDDEN, SAVED = 200, 403, 302


@pytest.fixture
def personas(admin_user, editor_group_1, editor_group_2, committee_member):
    return {
        "admin": admin_user,
        "editor_1": editor_group_1,
        "editor_2": editor_group_2,
        "committee": committee_member,
        "anonymous": None,
    }


# The reporting rounds add the lead of group I (lars) to the matrix.
ROUND_PERSONAS = ["admin", "editor_1", "editor_2", "lead_1", "committee", "anonymous"]


@pytest.fixture
def round_personas(personas, lead_group_1):
    return {**personas, "lead_1": lead_group_1}


def login_as(client, personas, persona):
    if personas[persona] is not None:
        client.force_login(personas[persona])


def assert_outcome(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected, response.content[:500]


def _database_url_of_test_database() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] or ""
    if db["PASSWORD"]:
        auth += f":{db['PASSWORD']}"
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{auth}@{host}/{db['NAME']}"


class CeleryProcesses:
    """Real `celery worker` and `celery beat` processes (and a gunicorn web server) on the
    configured broker, reading the test database, on a queue of their own so that messages
    left over from a development server never reach them.

    Each runs in its own process group: `kill(process)` is `kill -9` of all of it.
    """

    def __init__(self, tmp_path: Path, queue: str):
        self.tmp_path = tmp_path
        self.queue = queue
        self.processes: list[subprocess.Popen] = []

    def env(self, **overrides: str) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": _database_url_of_test_database(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND,
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            **overrides,
        }

    def _start(self, name: str, command: list[str], ready, env: dict) -> subprocess.Popen:
        log = self.tmp_path / f"{name}-{len(self.processes)}.log"
        with open(log, "w") as log_file:
            process = subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=self.env(**env),
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process.log_path = log
        self.processes.append(process)
        deadline = time.monotonic() + 60
        while not ready(log.read_text()):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start:\n{log.read_text()}")
            time.sleep(0.2)
        return process

    def worker(self, **env: str) -> subprocess.Popen:
        command = [
            sys.executable, "-m", "celery", "-A", "masterplan", "worker",
            "--pool=solo", "--concurrency=1", "-Q", self.queue, "--loglevel=INFO",
            "--without-heartbeat", "--without-gossip", "--without-mingle",
        ]  # fmt: skip
        return self._start("worker", command, lambda log: "ready." in log, env)

    def beat(self, **env: str) -> subprocess.Popen:
        """Celery beat sending the scheduled jobs (set JOB_WATCH_INTERVAL=1 for the watch)."""
        schedule = self.tmp_path / f"beat-schedule-{len(self.processes)}"
        command = [
            sys.executable, "-m", "celery", "-A", "masterplan", "beat",
            "--loglevel=INFO", "--schedule", str(schedule),
        ]  # fmt: skip
        return self._start("beat", command, lambda log: "Starting..." in log, env)

    def web(self, port: int, **env: str) -> subprocess.Popen:
        """gunicorn serving the project on 127.0.0.1:port."""
        command = [
            sys.executable, "-m", "gunicorn", "masterplan.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "120",
        ]  # fmt: skip
        return self._start("web", command, lambda log: "Booting worker" in log, env)

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        """kill -9 of the process and every process it started."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=20)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    self.kill(process)


@pytest.fixture
def celery_processes(transactional_db, tmp_path):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    previous_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    processes = CeleryProcesses(tmp_path, queue)
    try:
        yield processes
    finally:
        celery_app.conf.task_default_queue = previous_queue
        processes.stop_all()


@pytest.fixture
def celery_worker_process(celery_processes):
    """A real `celery worker` process on the configured broker, reading the test database."""
    return celery_processes.worker()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """A real S3 server on this machine: moto's server mode in its own process, on
    TEST_S3_PORT (else a free port). Its endpoint URL."""
    port = int(os.environ.get("TEST_S3_PORT") or _free_port())
    log = tmp_path_factory.mktemp("s3") / "moto.log"
    with open(log, "w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 30
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            break
        if process.poll() is not None or time.monotonic() > deadline:
            CeleryProcesses.kill(process)
            raise RuntimeError(f"moto_server did not start on port {port}:\n{log.read_text()}")
        time.sleep(0.2)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        CeleryProcesses.kill(process)


@pytest.fixture
def s3_media(s3_server, settings, monkeypatch, tmp_path):
    """Media in a fresh, private bucket of the S3 server, for this process (STORAGES) and for
    every worker or web process started after it (the environment), as in production with
    MEDIA_S3_BUCKET set. MEDIA_ROOT points at an empty folder that must stay empty.

    Yields a boto3 client on the bucket's server; `.bucket` is the bucket's name.
    """
    import boto3

    bucket = f"sachstand-{uuid.uuid4().hex[:12]}"
    environment = {
        "MEDIA_S3_BUCKET": bucket,
        "MEDIA_S3_ENDPOINT_URL": s3_server,
        "MEDIA_S3_REGION": "eu-central-1",
        "MEDIA_S3_ACCESS_KEY_ID": "sachstand-test",
        "MEDIA_S3_SECRET_ACCESS_KEY": "sachstand-test-secret",
        "MEDIA_S3_ADDRESSING_STYLE": "path",
        "MEDIA_ROOT": str(tmp_path / "local-disk-unused"),
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="eu-central-1",
        aws_access_key_id="sachstand-test",
        aws_secret_access_key="sachstand-test-secret",
    )
    client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
    )
    client.bucket = bucket
    settings.MEDIA_ROOT = Path(environment["MEDIA_ROOT"])
    settings.STORAGES = {**settings.STORAGES, "default": media_storage()}
    return client


def s3_keys(client) -> list[str]:
    """Every object key in the `s3_media` bucket."""
    response = client.list_objects_v2(Bucket=client.bucket)
    return sorted(item["Key"] for item in response.get("Contents", []))


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = BASE_DIR / "artifacts"


@pytest.fixture(scope="session")
def _playwright_browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not installed at {CHROMIUM} (Debian package `chromium`).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


# Reports every `securitypolicyviolation` event of every page and frame to the test.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation({
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
    page: document.location.href,
  });
});
"""


def csp_watch(context) -> list[str]:
    """Record every Content-Security-Policy violation in the pages of a browser context.

    Two witnesses: the `securitypolicyviolation` DOM event and Chromium's console message
    ("Refused to … because it violates the following Content Security Policy directive").
    Returns the list the violations are appended to (as readable strings).
    """
    violations: list[str] = []
    context.expose_binding(
        "__cspViolation", lambda source, event: violations.append(f"event: {event}")
    )
    context.add_init_script(_CSP_LISTENER)

    def on_console(message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(f"console ({message.type}): {message.text}")

    context.on("console", on_console)
    return violations


def csp_assert_none(violations: list[str]) -> None:
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations))


@pytest.fixture
def page(_playwright_browser, live_server, transactional_db):
    """A fresh browser page; `page.base_url` is the live server. Screenshots go to artifacts/.

    The site's Content-Security-Policy is enforced as in production; the test fails if any
    page it opened violated it (`page.csp_violations` lists what was recorded so far).
    """
    # Playwright runs an event loop in this thread; Django's ORM must still be usable here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    context = _playwright_browser.new_context(base_url=live_server.url, locale="de-DE")
    violations = csp_watch(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    page.csp_violations = violations
    ARTIFACTS.mkdir(exist_ok=True)
    yield page
    context.close()
    csp_assert_none(violations)


def browser_login(page, username: str, password: str = "pw") -> None:
    page.goto("/konto/login/")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()
