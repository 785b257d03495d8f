"""The `python -m simulator` command line: options, accounts and shutdown."""

import signal
import subprocess
import sys
import time

import pytest

from tests.simulator.support import REPO_ROOT, run_simulator


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "simulator", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_help_lists_options_with_units():
    result = run_cli("--help")

    assert result.returncode == 0
    for option in (
        "--account",
        "--disabled-account",
        "--accepted-seconds",
        "--processing-seconds",
        "--results-shape",
        "--token-lifetime",
        "--requests-per-window",
        "--webhook-secret",
        "--scenario",
    ):
        assert option in result.stdout
    assert "seconds" in result.stdout


@pytest.mark.parametrize(
    "account", ["just-an-id", "id:", ":secret", "id:secret:lots", "a:b:1:2"]
)
def test_invalid_account_rejected(account):
    result = run_cli("--account", account)

    assert result.returncode == 2
    assert "invalid" in result.stderr


def test_duplicate_account_rejected():
    result = run_cli("--account", "same:one", "--account", "same:two")

    assert result.returncode == 2
    assert "CLIENT_ID" in result.stderr


def test_demo_account_by_default():
    with run_simulator("--disabled-account", "off:off-secret") as simulator:
        token = simulator.token(("demo-client", "demo-secret"))
        response = simulator.submit(token, "736233")

        assert response.status_code == 200


def test_demo_account_absent_with_accounts():
    with run_simulator("--account", "mine:my-secret") as simulator:
        response = simulator.session.post(
            simulator.url("/Auth/login/v1/token.json"),
            params={
                "clientId": "demo-client",
                "clientSecret": "demo-secret",
                "grantType": "cred",
            },
            timeout=10,
        )

        assert response.status_code == 401
        assert simulator.token(("mine", "my-secret"))


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_stops_cleanly_on_signal(stop_signal):
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator", "--port", "0"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("InsideView simulator listening on http://127.0.0.1:")

        process.send_signal(stop_signal)
        started = time.monotonic()
        returncode = process.wait(timeout=15)

        assert returncode == 0
        assert time.monotonic() - started < 10
        assert process.stdout.read() == ""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()
