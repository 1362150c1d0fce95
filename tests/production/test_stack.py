"""The production stack, started as the Dockerfile and docker-compose.yml start it, without Docker.

A copy of the build context (what .dockerignore lets through) in a temporary folder, a fresh
virtualenv built by deploy/build.sh (requirements.lock only, no dev tools; `pip install --no-deps
.`; collectstatic), a fresh PostgreSQL database migrated by deploy/migrate.sh, then
deploy/web.sh (gunicorn, DEBUG off), deploy/worker.sh and deploy/beat.sh on Redis, each with
deploy/production.env. The environment holds only what a site's `.env` and the compose file
give a container (see the `stack` fixture). Headless Chromium then signs in as the demo
committee member, opens a measure, asks for a report and downloads its PDF.

Needs PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL, as `.ci/run` sets them) and
Debian's Chromium; skipped otherwise, with the reason.
"""

import contextlib
import fnmatch
import io
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import dj_database_url
import psycopg2
import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.conftest import ARTIFACTS
from tests.production.deploy import BASE_DIR

pytestmark = [pytest.mark.production, pytest.mark.browser]

# Our own port (tests in this suite use 18720-18739 for servers they start).
PORT = int(os.environ.get("SACHSTAND_PRODUCTION_TEST_PORT", "18720"))
# Passed through from the test's environment: the pip configuration (index, cache) for the
# build, proxies, the locale. Nothing of Django's, the test database's or the dev virtualenv.
PASSED_THROUGH = {"HOME", "LANG", "LC_ALL", "TMPDIR", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"}
# The demo accounts (masterplan.demo) of `deploy/manage.sh create_demo_accounts`.
DEMO_USER, DEMO_PASSWORD = "committee", "demo"


def _project_packages() -> list[str]:
    """The project's packages as pyproject.toml lists them for `pip install .`."""
    pyproject = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())
    include = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    return [name.rstrip("*") for name in include]


# Run by `deploy/manage.sh shell -c`, with the production settings (DEBUG off).
IMPORT_EVERY_MODULE = """
import importlib, pkgutil

failures = []
for package_name in {packages!r}:
    package = importlib.import_module(package_name)
    for module in pkgutil.walk_packages(package.__path__, package_name + "."):
        if module.name.endswith(".__main__"):
            continue
        try:
            importlib.import_module(module.name)
        except Exception as error:
            failures.append(f"{{module.name}}: {{error!r}}")
print("import failures:", failures)
"""


def _requirement_names(lines) -> set[str]:
    return {
        re.split(r"[=<>@ ]", line.strip(), maxsplit=1)[0].lower().replace("_", "-")
        for line in lines
        if line.strip() and not line.startswith(("#", "-"))
    }


def _copy_build_context(target: Path) -> None:
    """Copy the checkout as `COPY . .` does: everything .dockerignore does not exclude."""
    patterns = [
        line.strip()
        for line in (BASE_DIR / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def ignored(folder, names):
        relative = Path(folder).relative_to(BASE_DIR)
        return {
            name
            for name in names
            if any(
                fnmatch.fnmatchcase(str(relative / name), pattern)
                or fnmatch.fnmatchcase(name, pattern)
                for pattern in patterns
            )
        }

    shutil.copytree(BASE_DIR, target, ignore=ignored, symlinks=True)


@dataclass
class ProductionStack:
    """The copy of the build context (`app/`) and its virtualenv (`venv/`) under `root`, and the
    processes started from them with the environment `env`, logging to `logs`."""

    root: Path
    logs: Path
    env: dict[str, str]
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @contextlib.contextmanager
    def step(self, name: str):
        """Time a step; the figures are printed at the end (`pytest -s`) and kept in the logs."""
        started = time.monotonic()
        yield
        self.seconds[name] = round(time.monotonic() - started, 1)

    @property
    def app(self) -> Path:
        return self.root / "app"

    @property
    def base_url(self) -> str:
        return f"http://localhost:{PORT}"

    def run(self, name: str, *args: str, timeout: float = 600) -> str:
        """Run deploy/<name> to its end; its output, or a failure with the output."""
        log = self.logs / f"{name.removesuffix('.sh')}-{args[0] if args else 'run'}.log"
        with open(log, "w") as log_file:
            result = subprocess.run(
                [str(self.app / "deploy" / name), *args],
                cwd=self.root,
                env=self.env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                timeout=timeout,
            )
        output = log.read_text()
        assert result.returncode == 0, f"deploy/{name} {' '.join(args)} failed:\n{output[-4000:]}"
        return output

    def python(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.root / "venv" / "bin" / "python"), *args],
            cwd=self.app,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def start(self, name: str) -> None:
        log = self.logs / f"{name}.log"
        with open(log, "w") as log_file:
            self.processes[name] = subprocess.Popen(
                [str(self.app / "deploy" / f"{name}.sh")],
                cwd=self.root,
                env=self.env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text()

    def wait_for(self, name: str, ready, what: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            process = self.processes.get(name)
            if (process and process.poll() is not None) or time.monotonic() > deadline:
                raise AssertionError(f"{name}: no {what} within {timeout} s:\n{self.tails()}")
            time.sleep(0.5)

    def healthy(self, name: str) -> bool:
        return (
            subprocess.run(
                [str(self.app / "deploy" / "healthcheck.sh"), name],
                cwd=self.root,
                env=self.env,
                capture_output=True,
                timeout=60,
            ).returncode
            == 0
        )

    def tails(self) -> str:
        return "\n".join(f"--- {name}.log\n{self.log(name)[-3000:]}" for name in self.processes)

    def stop(self) -> None:
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=20)


def _services_or_skip() -> tuple[dict, str]:
    database_url = os.environ.get("DATABASE_URL", "")
    broker_url = os.environ.get("CELERY_BROKER_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")) or not broker_url.startswith(
        "redis://"
    ):
        pytest.skip(
            "the production stack runs on PostgreSQL and Redis: set DATABASE_URL=postgres://… "
            "and CELERY_BROKER_URL=redis://… (as .ci/run does)"
        )
    return dj_database_url.parse(database_url), broker_url


def _server(config: dict) -> dict:
    return {
        "host": config["HOST"] or "127.0.0.1",
        "port": config["PORT"] or 5432,
        "user": config["USER"],
        "password": config["PASSWORD"] or None,
        "dbname": "postgres",
    }


def _execute(config: dict, statement: str) -> None:
    connection = psycopg2.connect(**_server(config))
    connection.autocommit = True
    try:
        connection.cursor().execute(statement)
    finally:
        connection.close()


def _database_create(config: dict) -> str:
    """An empty database beside the configured one (`<name>_production`); its URL."""
    name = f"{config['NAME']}_production"
    _execute(config, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _execute(config, f'CREATE DATABASE "{name}"')
    server = _server(config)
    credentials = urllib.parse.quote(config["USER"] or "")
    if config["PASSWORD"]:
        credentials += ":" + urllib.parse.quote(config["PASSWORD"])
    return f"postgres://{credentials}@{server['host']}:{server['port']}/{name}"


def _database_drop(config: dict) -> None:
    name = f"{config['NAME']}_production"
    _execute(config, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def stack():
    """The production stack, built and running; stopped and removed afterwards."""
    database, broker_url = _services_or_skip()
    # The processes' logs stay in artifacts/production/ (not in git) for a failed run.
    logs = ARTIFACTS / "production"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)
    root = Path(tempfile.mkdtemp(prefix="sachstand-production-"))
    env = {
        name: value
        for name, value in os.environ.items()
        if name in PASSED_THROUGH or name.startswith("PIP_") or name.lower().endswith("_proxy")
    }
    # What the image has on its PATH: its Python (here the virtualenv's) and the system.
    env["PATH"] = f"{root / 'venv' / 'bin'}:/usr/local/bin:/usr/bin:/bin"
    # What a site's .env and the compose file's `environment` give a container (and
    # DATABASE_URL, below). The rest comes from deploy/production.env through the scripts, as in
    # the image.
    env.update(
        {
            "SECRET_KEY": secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "localhost",
            "CELERY_BROKER_URL": broker_url,
            # The compose file's `media` volume and the published port.
            "MEDIA_ROOT": str(root / "media"),
            "WEB_BIND": f"127.0.0.1:{PORT}",
            # Beat's watch every few seconds, so that the test sees it reach the worker.
            "JOB_WATCH_INTERVAL": "5",
            # No TLS proxy in front of gunicorn here: plain http://localhost (Chromium keeps
            # the Secure cookies for localhost), no redirect to https.
            "SECURE_SSL_REDIRECT": "false",
        }
    )
    stack = ProductionStack(root=root, logs=logs, env=env)
    try:
        env["DATABASE_URL"] = _database_create(database)  # a fresh one, dropped below
        with stack.step("copy and virtualenv"):
            _copy_build_context(stack.app)
            subprocess.run([sys.executable, "-m", "venv", str(root / "venv")], check=True)
        with stack.step("build"):
            stack.run("build.sh")
        with stack.step("migrate"):
            stack.run("migrate.sh")
        with stack.step("seed and demo accounts"):
            stack.run("manage.sh", "load_seed", "--if-empty")
            stack.run("manage.sh", "create_demo_accounts")
        with stack.step("start web, worker, beat"):
            for name in ("web", "worker", "beat"):
                stack.start(name)
            stack.wait_for("worker", lambda: "ready." in stack.log("worker"), "ready worker")
            stack.wait_for("beat", lambda: "Starting..." in stack.log("beat"), "beat start")
            stack.wait_for("web", lambda: stack.healthy("web"), "healthy web server")
        with stack.step("tests"):
            yield stack
    finally:
        with stack.step("stop"):
            stack.stop()
        with stack.step("drop database"):
            _database_drop(database)
        with stack.step("remove folder"):
            shutil.rmtree(root, ignore_errors=True)
        figures = ", ".join(f"{name} {seconds} s" for name, seconds in stack.seconds.items())
        (logs / "seconds.txt").write_text(figures + "\n")
        print(f"\nproduction stack: {figures}")


def test_the_image_holds_the_runtime_lock_and_no_dev_tool(stack):
    frozen = stack.python("-m", "pip", "freeze").stdout.splitlines()
    runtime = (BASE_DIR / "requirements.lock").read_text().splitlines()
    dev_only = _requirement_names((BASE_DIR / "requirements-dev.lock").read_text().splitlines())

    assert _requirement_names(frozen) - {"sachstand"} == _requirement_names(runtime)
    assert not _requirement_names(frozen) & dev_only
    assert stack.python("-c", "import pytest").returncode != 0


def test_every_module_of_the_project_imports_without_the_dev_tools(stack):
    code = IMPORT_EVERY_MODULE.format(packages=_project_packages())
    output = stack.run("manage.sh", "shell", "-c", code)

    assert "import failures: []" in output, output


def test_the_processes_run_with_debug_off(stack):
    output = stack.run(
        "manage.sh", "shell", "-c", "from django.conf import settings; print(settings.DEBUG)"
    )

    assert output.strip().splitlines()[-1] == "False", output
    assert "Booting worker" in stack.log("web")


def test_the_healthchecks_of_the_compose_file_pass(stack):
    for name in ("web", "worker", "beat"):
        assert stack.healthy(name), f"deploy/healthcheck.sh {name} failed:\n{stack.tails()}"


def test_a_committee_member_downloads_a_report_pdf(stack, _playwright_browser):
    context = _playwright_browser.new_context(
        base_url=stack.base_url, locale="de-DE", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    responses = []
    page.on("response", lambda response: responses.append((response.status, response.url)))
    try:
        page.goto("/konto/login/")
        page.get_by_label("Benutzername").fill(DEMO_USER)
        page.get_by_label("Passwort").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        expect(page).not_to_have_url(re.compile("/konto/login/"))

        page.goto("/massnahmen/")
        measure = page.locator("th[scope=row] a").first
        title = measure.inner_text()
        measure.click()
        expect(page).to_have_url(re.compile(r"/massnahmen/\d+/$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text(title)
        # DEBUG off: a missing page is the plain 404, not Django's technical page.
        missing = page.goto("/massnahmen/999999/")
        assert missing.status == 404
        assert "Request Method" not in page.content()

        page.goto("/berichte/")
        page.get_by_role("link", name="Neuen Bericht erstellen").click()
        page.get_by_label("DS-Nr.").fill("00001-26")
        page.get_by_role("button", name="Bericht erstellen").click()
        expect(page).to_have_url(re.compile(r"/berichte/\d+/$"))
        download_link = page.get_by_role("link", name=re.compile("PDF herunterladen"))
        expect(download_link).to_be_visible(timeout=120_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / "production-report-done.png", full_page=True)

        with page.expect_download() as download:
            download_link.click()
        pdf = Path(download.value.path()).read_bytes()
    finally:
        context.close()

    assert download.value.suggested_filename == "Sachstandsbericht_00001-26.pdf"
    assert pdf.startswith(b"%PDF-")
    assert len(PdfReader(io.BytesIO(pdf)).pages) > 1
    assert re.search(BUILD_TASK_SUCCEEDED, stack.log("worker"))
    # No other answer >= 400 on the way; the static files (collected, hashed names) came from
    # WhiteNoise with DEBUG off.
    failed = [(status, url) for status, url in responses if status >= 400]
    assert failed == [(404, f"{stack.base_url}/massnahmen/999999/")]
    assert any(
        status == 200 and re.search(r"/static/.+\.[0-9a-f]{12}\.css$", url)
        for status, url in responses
    ), responses


BUILD_TASK_SUCCEEDED = r"Task reports\.tasks\.build_report_task\[.*\] succeeded"


WATCH_TASK_SUCCEEDED = r"Task reports\.tasks\.watch_reports_task\[.*\] succeeded"


def test_beat_drives_the_worker(stack):
    stack.wait_for(
        "worker",
        lambda: re.search(WATCH_TASK_SUCCEEDED, stack.log("worker")),
        "watch task sent by beat",
        timeout=30,
    )
