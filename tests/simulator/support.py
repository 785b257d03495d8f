"""Helpers to run `python -m simulator` as a real server on loopback and call it.

The tests talk to it over HTTP with requests, so they need no Django database.
"""

import contextlib
import http.server
import json
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_SECONDS = 20

DEMO = ("demo-client", "demo-secret")
WEBHOOK_SECRET = "webhook-test-secret"

# Accounts of the shared simulator. Tests that count jobs or credits use an
# account of their own, so other tests' jobs can't disturb them.
SHARED_ACCOUNTS = (
    "--account", "demo-client:demo-secret",
    "--account", "other-client:other-secret",
    "--account", "limits-client:limits-secret",
    "--account", "queue-client:queue-secret",
    "--account", "poor-client:poor-secret:5",
    "--account", "cancel-client:cancel-secret",
    "--account", "admin-client:admin-secret:100",
    "--disabled-account", "blocked-client:blocked-secret",
)  # fmt: skip
FAST_TIMINGS = ("--accepted-seconds", "0.3", "--processing-seconds", "0.6")


class Simulator:
    """A running simulator and helpers to call it."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.session = requests.Session()

    def url(self, path):
        return f"{self.base_url}{path}"

    def token(self, client=DEMO):
        response = self.session.post(
            self.url("/Auth/login/v1/token.json"),
            params={
                "clientId": client[0],
                "clientSecret": client[1],
                "grantType": "cred",
            },
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return response.json()["accessTokenDetails"]["accessToken"]

    def request(self, method, path, token, *, xml=False, **kwargs):
        headers = {"accessToken": token}
        if not xml:
            headers["Accept"] = "application/json"
        headers.update(kwargs.pop("headers", {}))
        return self.session.request(
            method, self.url(path), headers=headers, timeout=10, **kwargs
        )

    def submit(self, token, body, *, webhook=None, **kwargs):
        params = {"webhook": webhook} if webhook else None
        headers = {"Content-Type": "text/plain", **kwargs.pop("headers", {})}
        return self.request(
            "POST",
            "/api/v1/company/techProfile/job",
            token,
            data=body,
            params=params,
            headers=headers,
            **kwargs,
        )

    def status(self, token, job_id, **kwargs):
        return self.request(
            "GET", f"/api/v1/company/techProfile/job/{job_id}", token, **kwargs
        )

    def results(self, token, job_id, **kwargs):
        return self.request(
            "GET", f"/api/v1/company/techProfile/job/{job_id}/results", token, **kwargs
        )

    def wait_for_status(self, token, job_id, expected, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            body = self.status(token, job_id).json()
            if body["status"] in expected:
                return body
            assert time.monotonic() < deadline, f"job still {body['status']}"
            time.sleep(0.05)


def _read_first_line(process, timeout):
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    if not selector.select(timeout):
        return ""
    return process.stdout.readline()


@contextlib.contextmanager
def run_simulator(*args):
    """Start `python -m simulator` on a free loopback port and stop it afterwards."""
    with tempfile.TemporaryFile(mode="w+") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "simulator", "--host", "127.0.0.1", "--port", "0"]
            + list(args),
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        try:
            line = _read_first_line(process, STARTUP_TIMEOUT_SECONDS)
            if "listening on " not in line:
                stderr.seek(0)
                pytest.fail(f"simulator did not start: {line!r}\n{stderr.read()}")

            base_url = line.split("listening on ", 1)[1].strip()
            _wait_until_healthy(base_url)
            simulator = Simulator(base_url)
            try:
                yield simulator
            finally:
                simulator.session.close()
        finally:
            # SIGINT is gunicorn's quick shutdown. After SIGTERM it would wait
            # for idle keep-alive connections to time out, about 2 s per server.
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.stdout.close()


def _wait_until_healthy(base_url):
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while True:
        try:
            if requests.get(f"{base_url}/", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        assert time.monotonic() < deadline, f"simulator at {base_url} never answered"
        time.sleep(0.05)


class WebhookReceiver:
    """A loopback HTTP server that records webhook POSTs.

    `replies` lists the status codes to reply with, in order. Once it is used up,
    every call gets 200.
    """

    def __init__(self):
        self.calls = []
        self.replies = []
        self._condition = threading.Condition()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                with receiver._condition:
                    status = receiver.replies.pop(0) if receiver.replies else 200
                    receiver.calls.append(
                        {"path": self.path, "headers": dict(self.headers), "body": body}
                    )
                    receiver._condition.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        host, port = self.server.server_address[:2]
        self.url = f"http://{host}:{port}/hook"

    def wait_for_calls(self, count, timeout=10):
        with self._condition:
            self._condition.wait_for(lambda: len(self.calls) >= count, timeout)
            return list(self.calls)

    def payloads(self):
        with self._condition:
            return [json.loads(call["body"]) for call in self.calls]
