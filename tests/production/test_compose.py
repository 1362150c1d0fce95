"""The compose file and the Dockerfile are valid and run what deploy/ defines, nothing else.

No Docker engine runs here: docker-compose.yml is checked against the Compose Specification's
JSON schema (deploy/compose-spec.json, vendored from compose-spec/compose-go), and against the
one place the production commands and settings live (deploy/). tests/production/test_stack.py
then runs those scripts for real.
"""

import copy
import json
import os
import re

import pytest
import yaml
from jsonschema import Draft202012Validator

from tests.production.deploy import (
    APPLICATION_SERVICES,
    BASE_DIR,
    DEPLOY_DIR,
    production_defaults,
)

COMPOSE_FILE = BASE_DIR / "docker-compose.yml"
DOCKERFILE = BASE_DIR / "Dockerfile"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads((DEPLOY_DIR / "compose-spec.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def schema_errors(validator, document) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def test_the_compose_file_follows_the_compose_specification(compose, validator):
    assert schema_errors(validator, compose) == []


def test_the_schema_check_catches_a_misspelt_or_mistyped_key(compose, validator):
    misspelt = copy.deepcopy(compose)
    misspelt["services"]["web"]["comand"] = misspelt["services"]["web"].pop("command")
    mistyped = copy.deepcopy(compose)
    mistyped["services"]["worker"]["depends_on"] = "migrate:completed"

    assert any("comand" in error for error in schema_errors(validator, misspelt))
    assert any(
        error.startswith("services/worker/depends_on")
        for error in schema_errors(validator, mistyped)
    )


def test_services_depend_only_on_services_that_exist(compose):
    services = compose["services"]
    for name, service in services.items():
        depends_on = service.get("depends_on", {})
        assert set(depends_on) <= set(services), name


@pytest.mark.parametrize("service", APPLICATION_SERVICES)
def test_each_application_service_runs_its_deploy_script(compose, service):
    definition = compose["services"][service]
    script = f"deploy/{service}.sh"

    assert definition["command"] == [script]
    assert os.access(BASE_DIR / script, os.X_OK), f"{script} is not executable"
    assert definition["build"] == "."


@pytest.mark.parametrize("service", APPLICATION_SERVICES)
def test_each_application_service_reads_the_shared_settings_before_the_sites(compose, service):
    definition = compose["services"][service]

    assert definition["env_file"] == ["deploy/production.env", ".env"]
    # The compose file adds the addresses of its own services; it repeats none of the shared
    # settings (they would drift from what the smoke test runs with).
    assert {"DATABASE_URL", "CELERY_BROKER_URL"} <= set(definition["environment"])
    assert not set(definition["environment"]) & set(production_defaults())


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_each_long_running_service_is_checked_by_the_shared_healthcheck(compose, service):
    healthcheck = compose["services"][service]["healthcheck"]

    assert healthcheck["test"] == ["CMD", "deploy/healthcheck.sh", service]


def test_the_image_installs_the_runtime_lock_only_and_runs_the_deploy_scripts():
    dockerfile = DOCKERFILE.read_text()
    instructions = re.findall(r"^(FROM|RUN|CMD|COPY|ENV)\s+(.*)$", dockerfile, re.MULTILINE)
    runs = [argument for keyword, argument in instructions if keyword == "RUN"]

    assert "requirements-dev" not in dockerfile
    assert "[dev]" not in dockerfile
    assert "pip install --requirement requirements.lock" in dockerfile
    assert any(run.startswith("deploy/build.sh") for run in runs)
    assert ("CMD", '["deploy/web.sh"]') in instructions
    build = (DEPLOY_DIR / "build.sh").read_text()
    assert "python -m pip install --requirement requirements.lock\n" in build
    assert "python -m pip install --no-deps .\n" in build


def test_what_the_image_sets_itself_agrees_with_the_shared_settings():
    lines = re.search(r"^ENV (.*?)(?<!\\)$", DOCKERFILE.read_text(), re.MULTILINE | re.DOTALL)
    image_env = dict(re.findall(r"([A-Z_]+)=(\S+)", lines.group(1)))
    shared = production_defaults()

    assert image_env["DEBUG"] == "false"
    assert {name: value for name, value in image_env.items() if name in shared} == {
        name: shared[name] for name in image_env if name in shared
    }


def test_the_secrets_of_the_site_stay_out_of_the_image():
    ignored = (BASE_DIR / ".dockerignore").read_text().split()

    assert ".env" in ignored
    assert ".venv" in ignored


def test_the_shared_settings_are_plain_lines_compose_and_the_scripts_read_alike():
    lines = [
        line
        for line in (DEPLOY_DIR / "production.env").read_text().splitlines()
        if line and not line.startswith("#")
    ]

    for line in lines:
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*=[^\s\"'$]*", line), line
    assert production_defaults()["DEBUG"] == "false"


def test_the_site_example_does_not_move_what_the_image_fixes_at_build_time():
    example = (BASE_DIR / ".env.example").read_text()

    # Static files are collected into the image; a STATIC_ROOT from .env would point
    # WhiteNoise at an empty folder (every page answering 500 for want of its manifest).
    assert not re.search(r"^STATIC_ROOT=", example, re.MULTILINE)


def test_every_deploy_script_is_used_by_the_compose_file_or_the_image():
    used = COMPOSE_FILE.read_text() + DOCKERFILE.read_text()
    scripts = {path.name for path in DEPLOY_DIR.glob("*.sh")} - {"env.sh"}

    # manage.sh is the operator's entry for one-off commands (README, "Production").
    assert {name for name in scripts if f"deploy/{name}" not in used} == {"manage.sh"}
    assert all(os.access(DEPLOY_DIR / name, os.X_OK) for name in scripts)


def test_the_vendored_schema_is_the_compose_specification():
    schema = json.loads((DEPLOY_DIR / "compose-spec.json").read_text())

    assert schema["title"] == "Compose Specification"
    assert {"services", "volumes", "networks"} <= set(schema["properties"])
    assert "compose-spec/compose-go" in (DEPLOY_DIR / "README.md").read_text()
