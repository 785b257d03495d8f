#!/usr/bin/env bash
# Start the services the test suite needs, run it, and stop what was started.
set -euo pipefail
source "$(dirname "$0")/services.sh"
WITH_BROWSER=1
# Tests use their own Redis database, so a worker of `make run` never takes
# their tasks.
export REDIS_URL=${TEST_REDIS_URL:-redis://127.0.0.1:$REDIS_PORT/15}
trap stop_services EXIT

start_services
cd "$ROOT"
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
# pytest exits 5 when it collected no tests, which must fail a run too.
exit $status
