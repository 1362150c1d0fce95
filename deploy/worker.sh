#!/bin/sh
# A Celery worker: builds reports, applies large imports, runs what beat sends. Any number of
# them may run. A pool process above CELERY_WORKER_MAX_MEMORY_PER_CHILD (KiB, see the
# settings) is replaced after its task; a job that runs out of memory fails cleanly.
set -eu
. "$(dirname "$0")/env.sh"
exec celery -A masterplan worker --loglevel="$LOG_LEVEL" --concurrency="$WORKER_CONCURRENCY"
