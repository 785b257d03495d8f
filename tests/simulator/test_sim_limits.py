"""Monthly credits, the 2-processing-jobs limit, the job queue limit and
throttling."""

import time
from xml.etree import ElementTree

from tests.simulator.support import run_simulator


def credits_consumed(simulator, token):
    response = simulator.request(
        "GET",
        "/api/v1/admin/usage",
        token,
        params={"period": "year", "start": "2000", "end": "2999"},
    )
    return response.json()["creditsForAccount"][0]["consumedCredits"]


def test_credits_reject_job_over_quota(simulator):
    token = simulator.token(("poor-client", "poor-secret"))

    too_big = simulator.submit(token, ",".join(["736233"] * 6))
    first = simulator.submit(token, "736233,781163,724468")
    over_what_is_left = simulator.submit(token, "736233,781163,724468")
    second = simulator.submit(token, "736233,781163")
    nothing_left = simulator.submit(token, "736233")

    assert too_big.status_code == 400
    assert too_big.json()["errorNumber"] == "400-110"
    assert "needs 6" in too_big.json()["message"]
    assert first.status_code == 200
    assert over_what_is_left.status_code == 400
    assert "2 are left" in over_what_is_left.json()["message"]
    assert second.status_code == 200
    assert nothing_left.status_code == 400

    simulator.wait_for_status(token, first.json()["jobId"], {"finished"})
    simulator.wait_for_status(token, second.json()["jobId"], {"finished"})
    assert credits_consumed(simulator, token) == 5
    assert simulator.submit(token, "736233").status_code == 400


def test_credits_debited_when_processing_starts(simulator):
    token = simulator.token(("cancel-client", "cancel-secret"))
    before = credits_consumed(simulator, token)
    job_id = simulator.submit(token, "736233,781163").json()["jobId"]

    assert credits_consumed(simulator, token) == before

    simulator.wait_for_status(token, job_id, {"processing", "finished"})
    assert credits_consumed(simulator, token) == before + 2


def test_cancelled_job_costs_nothing(simulator):
    token = simulator.token(("cancel-client", "cancel-secret"))
    before = credits_consumed(simulator, token)
    job_id = simulator.submit(token, "736233,781163").json()["jobId"]

    simulator.request("DELETE", f"/api/v1/company/techProfile/job/{job_id}", token)
    time.sleep(1.2)

    assert credits_consumed(simulator, token) == before


def test_two_jobs_processing_at_most(simulator):
    token = simulator.token(("limits-client", "limits-secret"))
    job_ids = [simulator.submit(token, "736233").json()["jobId"] for _ in range(3)]

    # /admin/jobs reads every job under one lock, so each reply is a consistent
    # snapshot of the three statuses.
    snapshots = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        response = simulator.request(
            "GET", "/api/v1/admin/jobs", token, params={"resultsPerPage": 50}
        )
        statuses = {
            job["jobId"]: job["jobStatus"] for job in response.json()["bulkJobs"]
        }
        snapshot = [statuses[job_id] for job_id in job_ids]
        snapshots.append(snapshot)
        if snapshot == ["finished"] * 3:
            break
        time.sleep(0.02)

    assert snapshots[-1] == ["finished"] * 3
    assert max(snapshot.count("processing") for snapshot in snapshots) == 2
    assert ["processing", "processing", "accepted"] in snapshots
    for snapshot in snapshots:
        if snapshot[2] == "processing":
            assert "finished" in snapshot[:2]


def test_too_many_jobs():
    with run_simulator(
        "--accepted-seconds", "0",
        "--processing-seconds", "30",
        "--max-waiting-jobs", "1",
    ) as simulator:  # fmt: skip
        token = simulator.token()
        accepted = [simulator.submit(token, "736233") for _ in range(3)]
        job_ids = [reply.json()["jobId"] for reply in accepted]
        simulator.wait_for_status(token, job_ids[1], {"processing"})

        rejected = simulator.submit(token, "736233")
        rejected_xml = simulator.submit(token, "736233", xml=True)

        assert [reply.status_code for reply in accepted] == [200] * 3
        assert simulator.status(token, job_ids[2]).json()["status"] == "accepted"
        assert rejected.status_code == 400
        assert rejected.json()["errorNumber"] == "400-111"
        message = "Too many job submitted to the processing queue."
        assert rejected.json()["message"] == message
        assert rejected_xml.status_code == 400
        root = ElementTree.fromstring(rejected_xml.content)
        assert root.findtext("errorNumber") == "400-111"

        simulator.request(
            "DELETE", f"/api/v1/company/techProfile/job/{job_ids[2]}", token
        )

        assert simulator.submit(token, "736233").status_code == 200


def test_throttling_locks_out_account():
    with run_simulator(
        "--account", "client-a:secret-a",
        "--account", "client-b:secret-b",
        "--requests-per-window", "5",
        "--throttle-window-seconds", "2",
    ) as simulator:  # fmt: skip
        first = simulator.token(("client-a", "secret-a"))
        second = simulator.token(("client-a", "secret-a"))
        other = simulator.token(("client-b", "secret-b"))
        path = "/api/v1/admin/jobs"

        allowed = [simulator.request("GET", path, first) for _ in range(5)]
        throttled = simulator.request("GET", path, first)
        same_account = simulator.request("GET", path, second, xml=True)
        other_account = simulator.request("GET", path, other)

        assert [reply.status_code for reply in allowed] == [200] * 5
        assert throttled.status_code == 429
        assert throttled.json()["errorNumber"] == "429-1"
        assert throttled.json()["message"] == "Request is throttled."
        assert same_account.status_code == 429
        root = ElementTree.fromstring(same_account.content)
        assert root.findtext("message") == "Request is throttled."
        assert other_account.status_code == 200

        time.sleep(2.1)

        assert simulator.request("GET", path, first).status_code == 200
        assert simulator.request("GET", path, second).status_code == 200


def test_throttle_counts_job_calls():
    with run_simulator("--requests-per-window", "3") as simulator:
        token = simulator.token()

        job_id = simulator.submit(token, "736233").json()["jobId"]
        simulator.status(token, job_id)
        simulator.results(token, job_id)

        assert simulator.status(token, job_id).status_code == 429
