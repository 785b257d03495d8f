"""Fixtures: a shared simulator with quick timings, and a webhook receiver."""

import threading

import pytest

from tests.simulator.support import (
    FAST_TIMINGS,
    SHARED_ACCOUNTS,
    WEBHOOK_SECRET,
    WebhookReceiver,
    run_simulator,
)


@pytest.fixture(scope="session")
def simulator():
    with run_simulator(
        *SHARED_ACCOUNTS,
        *FAST_TIMINGS,
        "--max-waiting-jobs", "50",
        "--webhook-secret", WEBHOOK_SECRET,
        "--webhook-backoff-seconds", "0.1",
    ) as server:  # fmt: skip
        yield server


@pytest.fixture
def token(simulator):
    return simulator.token()


@pytest.fixture
def webhook_receiver():
    receiver = WebhookReceiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()
    thread.join()
