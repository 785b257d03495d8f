import hashlib
import hmac
import json

from tests.simulator.support import WEBHOOK_SECRET


def test_webhook_on_each_status_change(simulator, token, webhook_receiver):
    response = simulator.submit(token, "736233,781163", webhook=webhook_receiver.url)
    job_id = response.json()["jobId"]

    calls = webhook_receiver.wait_for_calls(2)

    assert len(calls) == 2
    assert webhook_receiver.payloads() == [
        {
            "jobId": job_id,
            "status": "processing",
            "totalProcessed": 0,
            "type": "techProfileFetch",
        },
        {
            "jobId": job_id,
            "status": "finished",
            "totalProcessed": 2,
            "type": "techProfileFetch",
        },
    ]
    for call in calls:
        assert call["path"] == "/hook"
        assert call["headers"]["Content-Type"] == "application/json"


def test_webhook_signature(simulator, token, webhook_receiver):
    simulator.submit(token, "736233", webhook=webhook_receiver.url)

    calls = webhook_receiver.wait_for_calls(2)

    for call in calls:
        expected = hmac.new(
            WEBHOOK_SECRET.encode(), call["body"], hashlib.sha1
        ).hexdigest()
        assert call["headers"]["X-InsideViewAPI-AlertDataSignature"] == expected


def test_webhook_on_cancel(simulator, webhook_receiver):
    token = simulator.token(("cancel-client", "cancel-secret"))
    job_id = simulator.submit(token, "736233", webhook=webhook_receiver.url).json()[
        "jobId"
    ]
    simulator.request("DELETE", f"/api/v1/company/techProfile/job/{job_id}", token)

    calls = webhook_receiver.wait_for_calls(1)

    assert len(calls) == 1
    assert json.loads(calls[0]["body"])["status"] == "aborted"


def test_webhook_retried_after_failures(simulator, token, webhook_receiver):
    webhook_receiver.replies = [500, 503]
    simulator.submit(token, "736233", webhook=webhook_receiver.url)

    # Two failed attempts and the successful retry for "processing", then one
    # call for "finished", in status order.
    calls = webhook_receiver.wait_for_calls(4)

    statuses = [json.loads(call["body"])["status"] for call in calls]
    assert statuses == ["processing", "processing", "processing", "finished"]


def test_webhook_gives_up_after_three_retries(simulator, token, webhook_receiver):
    webhook_receiver.replies = [500] * 4
    simulator.submit(token, "736233", webhook=webhook_receiver.url)

    calls = webhook_receiver.wait_for_calls(5)

    statuses = [json.loads(call["body"])["status"] for call in calls]
    assert statuses == ["processing"] * 4 + ["finished"]


def test_no_webhook_without_url(simulator, token, webhook_receiver):
    job_id = simulator.submit(token, "736233").json()["jobId"]
    simulator.wait_for_status(token, job_id, {"finished"})

    assert webhook_receiver.wait_for_calls(1, timeout=0.5) == []
