#!/bin/sh
# A one-off management command with the production settings, e.g.
# `docker compose run --rm web deploy/manage.sh createsuperuser`.
set -eu
. "$(dirname "$0")/env.sh"
exec python manage.py "$@"
