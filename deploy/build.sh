#!/bin/sh
# Builds the application in the folder it will run from (the image's /app, the smoke test's
# copy): runtime dependencies only (requirements.lock, no dev tools), the project itself, and
# the static files WhiteNoise serves. Run by the Dockerfile.
set -eu
. "$(dirname "$0")/env.sh"
python -m pip install --requirement requirements.lock
python -m pip install --no-deps .
SECRET_KEY="${SECRET_KEY:-build-only}" python manage.py collectstatic --noinput
