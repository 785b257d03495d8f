"""Fault injection: each fault option and scenario, over real HTTP."""

import time
from datetime import datetime, timedelta

from tests.simulator.support import FAST_TIMINGS, run_simulator
from tests.simulator.test_sim_cli import run_cli

JOBS = "/api/v1/company/techProfile/job"
# Quicker than FAST_TIMINGS, for tests that run many jobs.
QUICK_JOBS = ("--accepted-seconds", "0", "--processing-seconds", "0.1")


def _statuses_of_calls(simulator, token, count):
    return [
        simulator.request("GET", f"{JOBS}/unknown", token).status_code
        for _ in range(count)
    ]


def test_injected_429_carries_retry_after():
    with run_simulator("--error-rate", "429=1", "--retry-after", "7") as simulator:
        response = simulator.request("GET", f"{JOBS}/unknown", "any-token")

        assert response.status_code == 429
        assert response.headers["Retry-After"] == "7"
        assert response.json()["message"] == "Request is throttled."


def test_injected_errors_reach_token_endpoint():
    with run_simulator("--error-rate", "503=1") as simulator:
        response = simulator.session.post(
            simulator.url("/Auth/login/v1/token.json"),
            params={
                "clientId": "demo-client",
                "clientSecret": "demo-secret",
                "grantType": "cred",
            },
            timeout=10,
        )

        assert response.status_code == 503
        assert response.json()["errorNumber"] == "503-9"


def test_error_rates_follow_the_seed():
    args = ("--error-rate", "500=0.3,429=0.2", "--seed", "42")
    runs = []
    for _ in range(2):
        with run_simulator(*args) as simulator:
            # The token call draws from the same sequence, so it is part of
            # what must repeat.
            token_status = _token_status(simulator)
            runs.append([token_status, *_statuses_of_calls(simulator, "x", 30)])

    assert runs[0] == runs[1]
    assert {429, 500} <= set(runs[0])
    assert 401 in runs[0]


def _token_status(simulator):
    return simulator.session.post(
        simulator.url("/Auth/login/v1/token.json"),
        params={
            "clientId": "demo-client",
            "clientSecret": "demo-secret",
            "grantType": "cred",
        },
        timeout=10,
    ).status_code


def test_latency_delays_api_calls():
    with run_simulator("--latency", "0.3-0.4") as simulator:
        started = time.monotonic()
        response = simulator.request("GET", f"{JOBS}/unknown", "any-token")
        elapsed = time.monotonic() - started

        assert response.status_code == 401
        assert elapsed >= 0.3


def test_token_expires_before_its_stated_time():
    with run_simulator("--token-expiry", "1") as simulator:
        response = simulator.session.post(
            simulator.url("/Auth/login/v1/token.json"),
            params={
                "clientId": "demo-client",
                "clientSecret": "demo-secret",
                "grantType": "cred",
            },
            timeout=10,
        )
        details = response.json()["accessTokenDetails"]
        token = details["accessToken"]
        fresh = simulator.request("GET", "/api/v1/admin/jobs", token)
        time.sleep(1.2)
        stale = simulator.request("GET", "/api/v1/admin/jobs", token)

        assert fresh.status_code == 200
        assert stale.status_code == 401
        stated = datetime.strptime(
            details["expirationTime"], "%a, %b %d, %Y %I:%M:%S %p GMT"
        )
        assert stated > datetime.now() + timedelta(days=300)


def _job_fates(simulator, token, bodies):
    job_ids = [simulator.submit(token, body).json()["jobId"] for body in bodies]
    return [
        simulator.wait_for_status(token, job_id, {"finished", "failed"})["status"]
        for job_id in job_ids
    ]


def test_job_failures_follow_the_seed():
    bodies = [str(700000 + n) for n in range(8)]
    args = (*QUICK_JOBS, "--job-failure-rate", "0.5", "--seed", "3")
    args += ("--max-waiting-jobs", "20")
    fates = []
    for _ in range(2):
        with run_simulator(*args) as simulator:
            fates.append(_job_fates(simulator, simulator.token(), bodies))

    assert fates[0] == fates[1]
    assert set(fates[0]) == {"finished", "failed"}


def test_webhooks_dropped(webhook_receiver):
    with run_simulator(*FAST_TIMINGS, "--webhook-drop-rate", "1") as simulator:
        token = simulator.token()
        job_id = simulator.submit(token, "736233", webhook=webhook_receiver.url)
        simulator.wait_for_status(token, job_id.json()["jobId"], {"finished"})

        assert webhook_receiver.wait_for_calls(1, timeout=0.5) == []


def test_webhooks_duplicated(webhook_receiver):
    with run_simulator(*FAST_TIMINGS, "--webhook-duplicate-rate", "1") as simulator:
        simulator.submit(simulator.token(), "736233", webhook=webhook_receiver.url)

        webhook_receiver.wait_for_calls(4)

        statuses = [payload["status"] for payload in webhook_receiver.payloads()]
        assert statuses == ["processing", "processing", "finished", "finished"]


def test_webhooks_delayed(webhook_receiver):
    args = (*FAST_TIMINGS, "--webhook-delay-rate", "1", "--webhook-delay-seconds", "1")
    with run_simulator(*args) as simulator:
        token = simulator.token()
        job_id = simulator.submit(token, "736233", webhook=webhook_receiver.url)
        simulator.wait_for_status(token, job_id.json()["jobId"], {"finished"})
        early = webhook_receiver.wait_for_calls(1, timeout=0.2)

        webhook_receiver.wait_for_calls(2, timeout=10)

        assert early == []
        statuses = [payload["status"] for payload in webhook_receiver.payloads()]
        assert statuses == ["processing", "finished"]


def test_webhooks_reordered(webhook_receiver):
    with run_simulator(*FAST_TIMINGS, "--webhook-reorder-rate", "1") as simulator:
        simulator.submit(simulator.token(), "736233", webhook=webhook_receiver.url)

        webhook_receiver.wait_for_calls(2)

        statuses = [payload["status"] for payload in webhook_receiver.payloads()]
        assert statuses == ["finished", "processing"]


def test_webhook_fates_follow_the_seed(webhook_receiver):
    args = (*QUICK_JOBS, "--scenario", "flaky-webhooks", "--seed", "11")
    args += ("--max-waiting-jobs", "20", "--webhook-delay-seconds", "0.3")
    bodies = [str(710000 + n) for n in range(6)]
    received = []
    for _ in range(2):
        webhook_receiver.calls.clear()
        with run_simulator(*args) as simulator:
            token = simulator.token()
            job_ids = []
            for body in bodies:
                response = simulator.submit(token, body, webhook=webhook_receiver.url)
                job_ids.append(response.json()["jobId"])
            for job_id in job_ids:
                simulator.wait_for_status(token, job_id, {"finished"})
            # Let delayed and held deliveries land.
            time.sleep(1)
            by_job = {}
            for payload in webhook_receiver.payloads():
                position = job_ids.index(payload["jobId"])
                by_job.setdefault(position, []).append(payload["status"])
            received.append(by_job)

    assert received[0] == received[1]


def test_hostile_scenario_injects_errors():
    args = ("--scenario", "hostile", "--seed", "5", "--latency", "0")
    with run_simulator(*args) as simulator:
        statuses = _statuses_of_calls(simulator, "x", 100)

        assert 429 in statuses
        assert 500 in statuses
        assert statuses.count(401) > 70


def test_scenario_value_overridden_by_option():
    args = ("--scenario", "busy-api", "--error-rate", "429=0,500=0,503=0")
    with run_simulator(*args, "--latency", "0") as simulator:
        statuses = _statuses_of_calls(simulator, "x", 50)

        assert set(statuses) == {401}


def test_throttle_lock_out_carries_retry_after():
    args = ("--requests-per-window", "2", "--throttle-window-seconds", "60")
    with run_simulator(*args) as simulator:
        token = simulator.token()
        for _ in range(2):
            simulator.request("GET", "/api/v1/admin/jobs", token)

        throttled = simulator.request("GET", "/api/v1/admin/jobs", token)

        assert throttled.status_code == 429
        assert 55 <= int(throttled.headers["Retry-After"]) <= 60


def test_inspection_free_of_faults():
    with run_simulator(*FAST_TIMINGS, "--error-rate", "500=1") as simulator:
        listing = simulator.session.get(simulator.url("/simulator/jobs"), timeout=5)

        assert listing.status_code == 200
        assert listing.json()["jobs"] == []
        assert listing.json()["accounts"]["demo-client"]["peakActiveJobs"] == 0


def test_inspection_of_one_job():
    with run_simulator(*FAST_TIMINGS) as simulator:
        token = simulator.token()
        job_id = simulator.submit(token, "736233,781163").json()["jobId"]
        simulator.wait_for_status(token, job_id, {"finished"})
        results_url = simulator.results(token, job_id).json()["resultsUrl"]
        download = simulator.session.get(results_url, timeout=5)

        detail = simulator.session.get(
            simulator.url(f"/simulator/jobs/{job_id}"), timeout=5
        ).json()
        listing = simulator.session.get(
            simulator.url("/simulator/jobs"), timeout=5
        ).json()

        assert detail["status"] == "finished"
        assert detail["companyIds"] == ["736233", "781163"]
        assert detail["creditsConsumed"] == 2
        rows = download.text.strip().splitlines()
        assert len(detail["results"]) == len(rows) - 1
        assert {row["companyId"] for row in detail["results"]} == {"736233", "781163"}
        assert [job["jobId"] for job in listing["jobs"]] == [job_id]
        assert listing["accounts"]["demo-client"] == {
            "consumedCredits": 2,
            "peakActiveJobs": 1,
        }


def test_inspection_of_unknown_job():
    with run_simulator() as simulator:
        response = simulator.session.get(
            simulator.url("/simulator/jobs/nosuchjob"), timeout=5
        )

        assert response.status_code == 404


def test_invalid_fault_options_rejected():
    for args in (
        ("--error-rate", "429"),
        ("--error-rate", "200=0.1"),
        ("--error-rate", "500=1.5"),
        ("--error-rate", "500=0.6,429=0.6"),
        ("--webhook-drop-rate", "2"),
        ("--latency", "0.5-0.1"),
    ):
        result = run_cli(*args)

        assert result.returncode == 2, args
        assert "expected" in result.stderr or "add up" in result.stderr, args
