"""deploy/env.sh: how every production script gets its settings (no servers needed)."""

import shutil
import subprocess

import pytest

from tests.production.deploy import DEPLOY_DIR, production_defaults

PROBE = '#!/bin/sh\nset -eu\n. "$(dirname "$0")/env.sh"\npwd\nenv\n'


@pytest.fixture
def probe(tmp_path):
    """A script beside a copy of env.sh and production.env that prints its folder and env."""
    deploy = tmp_path / "app" / "deploy"
    deploy.mkdir(parents=True)
    for name in ("env.sh", "production.env"):
        shutil.copy(DEPLOY_DIR / name, deploy / name)
    script = deploy / "probe.sh"
    script.write_text(PROBE)
    script.chmod(0o755)

    def run(**environment: str) -> tuple[str, dict[str, str]]:
        output = subprocess.run(
            [str(script)],
            cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin", **environment},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        return output[0], dict(line.split("=", 1) for line in output[1:] if "=" in line)

    return run


def test_a_script_gets_every_shared_setting_and_runs_in_the_application_folder(probe, tmp_path):
    folder, environment = probe()

    assert folder == str(tmp_path / "app")
    for name, value in production_defaults().items():
        assert environment[name] == value


def test_what_the_environment_sets_wins_over_the_shared_settings(probe):
    _, environment = probe(MEDIA_ROOT="/srv/media", WEB_CONCURRENCY="8")

    assert environment["MEDIA_ROOT"] == "/srv/media"
    assert environment["WEB_CONCURRENCY"] == "8"
    assert environment["DEBUG"] == "false"


def test_an_empty_value_does_not_switch_debug_on(probe):
    _, environment = probe(DEBUG="")

    assert environment["DEBUG"] == "false"
