#!/bin/sh
# Applies the database migrations; once per release, before web, worker and beat start
# (compose: the one-shot `migrate` service they depend on).
set -eu
. "$(dirname "$0")/env.sh"
exec python manage.py migrate --noinput
