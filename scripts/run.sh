#!/usr/bin/env bash
# Start everything techjobs needs on this machine, with a demo team, and stop
# it all on Ctrl-C.
set -euo pipefail
source "$(dirname "$0")/services.sh"

PORT=${PORT:-8000}
SIMULATOR_PORT=${SIMULATOR_PORT:-8100}
DEMO_PASSWORD=${DEMO_PASSWORD:-techjobs-demo}
PY="$ROOT/.venv/bin/python"
export INSIDEVIEW_API_URL=${INSIDEVIEW_API_URL:-http://127.0.0.1:$SIMULATOR_PORT}
export PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-http://127.0.0.1:$PORT}
export DEMO_PASSWORD

children=()
shutdown() {
    trap - INT TERM EXIT
    log "Stopping"
    for pid in "${children[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    stop_services
}
trap shutdown INT TERM EXIT

start_services
cd "$ROOT"
"$PY" manage.py migrate --noinput >/dev/null
"$PY" manage.py seed_demo

"$PY" -m simulator --host 127.0.0.1 --port "$SIMULATOR_PORT" & children+=($!)
.venv/bin/celery -A config worker --loglevel INFO --concurrency 2 --hostname "worker@%h" & children+=($!)
.venv/bin/celery -A config beat --loglevel WARNING --schedule "$VAR/celerybeat-schedule" & children+=($!)
"$PY" manage.py runserver --noreload "127.0.0.1:$PORT" & children+=($!)

for _ in $(seq 120); do
    "$PY" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$PORT/healthz', timeout=2)" 2>/dev/null && break
    sleep 0.5
done
cat <<MSG

  techjobs is running at http://127.0.0.1:$PORT/
  Log in as demo@example.com with the password $DEMO_PASSWORD
  (member@example.com has the same password). Press Ctrl-C to stop.

MSG
wait -n "${children[@]}"
log "A process exited; stopping the rest"
