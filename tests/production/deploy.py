"""What the production tests know about deploy/: its folder, the shared settings, the services."""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
DEPLOY_DIR = BASE_DIR / "deploy"

# The compose services that run the application image, each with its script deploy/<name>.sh.
APPLICATION_SERVICES = ["migrate", "web", "worker", "beat"]


def production_defaults() -> dict[str, str]:
    """deploy/production.env as compose and deploy/env.sh read it (plain NAME=value lines)."""
    defaults = {}
    for line in (DEPLOY_DIR / "production.env").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            defaults[name] = value
    return defaults
