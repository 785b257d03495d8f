"""The webhook view InsideView calls on each status change."""

import hashlib
import hmac
import json

import pytest

from techjobs.models import JobEvent, TechJob
from tests.factories import make_job

pytestmark = pytest.mark.django_db

S = TechJob.Status


def _post(client, token, body, **headers):
    return client.post(
        f"/webhooks/insideview/{token}/",
        data=json.dumps(body) if not isinstance(body, bytes) else body,
        content_type="application/json",
        headers=headers,
    )


def _status_body(job, status, total=0):
    return {
        "jobId": job.insideview_job_id,
        "status": status,
        "totalProcessed": total,
        "type": "techProfileFetch",
    }


def test_delivery_is_recorded_and_checked(
    people, client, django_capture_on_commit_callbacks
):
    job, token = make_job(people.team, status=S.ACCEPTED, insideview_job_id="a" * 20)

    with django_capture_on_commit_callbacks() as callbacks:
        response = _post(client, token, _status_body(job, "processing", 1))

    assert response.status_code == 200
    assert response.json() == {"received": True}
    assert len(callbacks) == 1
    delivery = job.events.get(kind=JobEvent.Kind.WEBHOOK)
    assert delivery.status == "processing"
    assert '"totalProcessed": 1' in delivery.detail["body"]
    assert delivery.detail["headers"]["Content-Type"] == "application/json"


def test_delivery_body_does_not_move_job(people, client):
    job, token = make_job(people.team, status=S.ACCEPTED, insideview_job_id="b" * 20)

    _post(client, token, _status_body(job, "finished", 3))

    job.refresh_from_db()
    assert job.status == S.ACCEPTED
    assert job.total_processed == 0


def test_duplicate_delivery_is_recorded_twice(people, client):
    job, token = make_job(people.team, status=S.ACCEPTED, insideview_job_id="c" * 20)

    first = _post(client, token, _status_body(job, "processing"))
    second = _post(client, token, _status_body(job, "processing"))

    assert (first.status_code, second.status_code) == (200, 200)
    assert job.events.filter(kind=JobEvent.Kind.WEBHOOK).count() == 2
    assert not job.events.filter(kind=JobEvent.Kind.TRANSITION).exists()


def test_unknown_token_is_404(people, client):
    make_job(people.team, status=S.ACCEPTED)

    response = _post(client, "not-a-token", {"status": "finished"})

    assert response.status_code == 404


def test_token_of_one_job_records_on_that_job(people, client):
    _job, token = make_job(people.team, status=S.ACCEPTED, insideview_job_id="d" * 20)
    other, _ = make_job(
        people.other_team, status=S.ACCEPTED, insideview_job_id="e" * 20
    )

    _post(client, token, {"jobId": other.insideview_job_id, "status": "finished"})

    assert not other.events.exists()
    assert _job.events.filter(kind=JobEvent.Kind.WEBHOOK).count() == 1


def test_malformed_body_is_400(people, client):
    _, token = make_job(people.team, status=S.ACCEPTED)

    response = _post(client, token, b"{not json")

    assert response.status_code == 400
    assert response.json() == {"error": "Expected a JSON job status."}


def test_head_echoes_validation_code(people, client):
    _, token = make_job(people.team, status=S.ACCEPTED)

    response = client.head(
        f"/webhooks/insideview/{token}/",
        headers={"X-InsideViewAPI-ValidationCode": "v-123"},
    )

    assert response.status_code == 200
    assert response["X-InsideViewAPI-ValidationCode"] == "v-123"


def test_signature_is_checked_when_secret_is_set(people, client):
    people.credential.set_signing_secret("s1gning")
    people.credential.save()
    job, token = make_job(people.team, status=S.ACCEPTED, insideview_job_id="f" * 20)
    body = json.dumps(_status_body(job, "processing")).encode()
    good = hmac.new(b"s1gning", body, hashlib.sha1).hexdigest()

    forged = _post(client, token, body, X_InsideViewAPI_AlertDataSignature="0" * 40)
    signed = _post(client, token, body, X_InsideViewAPI_AlertDataSignature=good)

    assert forged.status_code == 403
    assert signed.status_code == 200
    assert job.events.filter(kind=JobEvent.Kind.WEBHOOK).count() == 1


def test_webhook_needs_no_login_or_csrf(people):
    from django.test import Client

    job, token = make_job(people.team, status=S.ACCEPTED, insideview_job_id="g" * 20)
    strict = Client(enforce_csrf_checks=True)

    response = _post(strict, token, _status_body(job, "processing"))

    assert response.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        b'{"status": "finished", "totalProcessed": 1e400}',
        b'{"status": "finished", "totalProcessed": 99999999999}',
        b'{"jobId": "x", "status": "' + b"f" * 30 + b'"}',
        b'{"status": 3}',
        b'["finished"]',
        b"\xff\xfe",
    ],
)
def test_hostile_body_never_errors(people, client, body):
    _, token = make_job(people.team, status=S.ACCEPTED, insideview_job_id="h" * 20)

    response = _post(client, token, body)

    assert response.status_code in (200, 400)


def test_path_without_slash_is_accepted(people, client):
    job, token = make_job(people.team, status=S.ACCEPTED, insideview_job_id="i" * 20)

    response = client.post(
        f"/webhooks/insideview/{token}",
        data=json.dumps(_status_body(job, "processing")),
        content_type="application/json",
    )

    assert response.status_code == 200
