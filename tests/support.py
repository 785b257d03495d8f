"""Helpers the test modules share: processes on loopback and waiting."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, *, timeout: float, interval: float = 0.1, message: str = ""):
    """Call predicate until it returns something truthy; fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(
                f"Timed out after {timeout}s waiting for {message or predicate}"
            )
        time.sleep(interval)


class Process:
    """A child process started for a test, stopped with SIGTERM and then SIGKILL."""

    def __init__(self, args: list[str], *, env: dict | None = None, name: str):
        self.name = name
        self.log_path = ROOT / ".var" / "test-logs" / f"{name}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop)
        self.popen = subprocess.Popen(
            args,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, sig=signal.SIGTERM, timeout: float = 10):
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, sig)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        self.log.close()


def start_simulator(*extra: str, name: str = "simulator") -> tuple[Process, str]:
    port = free_port()
    process = Process(
        [
            sys.executable,
            "-m",
            "simulator",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            *extra,
        ],
        name=name,
    )
    url = f"http://127.0.0.1:{port}"

    def answers():
        if process.popen.poll() is not None:
            raise AssertionError(f"The simulator exited:\n{process.output()}")
        try:
            return requests.get(url + "/", timeout=1).ok
        except requests.ConnectionError:
            return False

    wait_until(answers, timeout=20, message="the simulator to answer")
    return process, url
