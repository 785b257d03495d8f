#!/usr/bin/env bash
# Start the services the test suite needs, run it, and stop what was started.
set -euo pipefail
source "$(dirname "$0")/services.sh"
WITH_BROWSER=1
trap stop_services EXIT

start_services
cd "$ROOT"
.venv/bin/python -m pytest "$@"
