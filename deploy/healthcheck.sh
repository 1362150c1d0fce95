#!/bin/sh
# Health of one process, as compose's healthchecks ask it: `healthcheck.sh web|worker|beat`.
# Exit 0 when healthy.
set -eu
. "$(dirname "$0")/env.sh"
case "${1:-}" in
  web)
    # As the TLS proxy forwards a request: a configured host name, X-Forwarded-Proto https.
    host=${ALLOWED_HOSTS:-localhost}
    host=${host%%,*}
    host=${host#.}
    [ "$host" = "*" ] && host=localhost
    exec python - "http://127.0.0.1:${WEB_BIND##*:}/konto/login/" "$host" <<'PY'
import sys
import urllib.request

request = urllib.request.Request(
    sys.argv[1], headers={"Host": sys.argv[2], "X-Forwarded-Proto": "https"}
)
with urllib.request.urlopen(request, timeout=5) as response:
    sys.exit(0 if response.status == 200 else 1)
PY
    ;;
  worker)
    node="celery@$(python -c 'import socket; print(socket.gethostname())')"
    exec celery -A masterplan inspect ping --destination "$node" --timeout 10
    ;;
  beat)
    schedule=${BEAT_SCHEDULE_FILE:-$MEDIA_ROOT/.celerybeat-schedule}
    # The file name may carry a suffix of the dbm module Python uses.
    ls "$schedule"* >/dev/null 2>&1
    ;;
  *)
    echo "usage: $0 web|worker|beat" >&2
    exit 2
    ;;
esac
