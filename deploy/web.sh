#!/bin/sh
# The web process: gunicorn serving Django; static files through WhiteNoise. Any number of
# web hosts may run it. A gunicorn.conf.py in the application folder is read as well.
set -eu
. "$(dirname "$0")/env.sh"
exec gunicorn masterplan.wsgi:application \
  --bind "$WEB_BIND" --workers "$WEB_CONCURRENCY" --access-logfile -
