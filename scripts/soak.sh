#!/usr/bin/env bash
# Start PostgreSQL and Redis if needed, run the soak, and stop what was started.
set -euo pipefail
source "$(dirname "$0")/services.sh"
trap stop_services EXIT

start_services
cd "$ROOT"
# The soak makes its own database and uses its own Redis database, so these
# only tell it where the servers are.
export PGPORT REDIS_PORT
set +e
.venv/bin/python tests/soak/run_soak.py "$@"
status=$?
set -e
exit $status
