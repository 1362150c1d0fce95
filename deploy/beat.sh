#!/bin/sh
# Celery beat: sends the scheduled tasks (reminders, the job watch). Exactly one per
# installation. Its schedule file lives beside the media unless BEAT_SCHEDULE_FILE says.
set -eu
. "$(dirname "$0")/env.sh"
schedule=${BEAT_SCHEDULE_FILE:-$MEDIA_ROOT/.celerybeat-schedule}
mkdir -p "$(dirname "$schedule")"
exec celery -A masterplan beat --loglevel="$LOG_LEVEL" --schedule "$schedule"
