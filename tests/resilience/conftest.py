"""A simulator with the faults a module names, and a worker that uses it.

A test module sets SIMULATOR_ARGS (fault options and accounts besides the
test account) and may set WORKER_ENV. The module's tests share one simulator
and one worker.
"""

import pytest

from tests.conftest import TEST_ACCOUNT, start_worker
from tests.resilience.support import FaultyApi
from tests.support import start_simulator

QUICK_JOBS = ("--accepted-seconds", "0.2", "--processing-seconds", "0.6")


@pytest.fixture(scope="module")
def faulty_api(request, django_db_setup, django_db_blocker, live_server):
    args = getattr(request.module, "SIMULATOR_ARGS", ())
    worker_env = getattr(request.module, "WORKER_ENV", {})
    name = request.module.__name__.rsplit(".", 1)[-1]
    process, url = start_simulator(
        "--account",
        ":".join(TEST_ACCOUNT),
        *QUICK_JOBS,
        *args,
        name=f"simulator-{name}",
    )
    worker = start_worker(url, live_server.url, name=f"worker-{name}", env=worker_env)
    api = FaultyApi(url, worker, worker_env, live_server.url, name)
    yield api
    api.worker.stop()
    process.stop()


@pytest.fixture
def hostile(faulty_api, settings):
    """The module's faulty simulator and worker, with this process pointed at it."""
    settings.INSIDEVIEW_API_URL = faulty_api.url
    settings.INSIDEVIEW_AUTH_URL = faulty_api.url
    settings.JOB_POLL_AFTER_SECONDS = 1
    return faulty_api
