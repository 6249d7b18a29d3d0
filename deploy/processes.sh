#!/usr/bin/env bash
# Run N meeting server processes on consecutive ports, in the foreground, for a machine
# without systemd (docs/operating.md, Deploying). Ctrl-C (or SIGTERM) stops them all.
#
#   deploy/processes.sh 2 8001      # ports 8001 and 8002, as in deploy/nginx.conf
#
# The settings come from the environment (deploy/meeting.env shows them), e.g.
#   set -a; . /etc/meeting/meeting.env; set +a; deploy/processes.sh 2 8001
set -euo pipefail
count="${1:?how many processes}"
first="${2:-8001}"
cd "$(dirname "$0")/.."

if [ "$count" -gt 1 ] && [ -z "${MEETING_REDIS_URL:-}" ]; then
  echo "More than one process needs MEETING_REDIS_URL (and PostgreSQL): see docs/operating.md, Deploying." >&2
  exit 2
fi

pids=()
stop() { kill -TERM "${pids[@]}" 2>/dev/null || true; wait; }
trap stop INT TERM
for ((n = 0; n < count; n++)); do
  port=$((first + n))
  gunicorn --config deploy/gunicorn.conf.py --bind "127.0.0.1:$port" wsgi:app &
  pids+=("$!")
done
# One process that stops (a setting wrong, say) stops them all, with its status.
status=0
wait -n || status=$?
stop
exit "$status"
