"""The endpoint InsideView calls when a job's status changes.

A delivery is a hint, not the truth: deliveries can be lost, repeated,
late or out of order. Each one is recorded and starts a status check
against the API, and only the API's response moves the job.
"""

import hashlib
import hmac
import json
import logging

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .models import JobEvent, TechJob, hash_webhook_token
from .tasks import refresh_job

logger = logging.getLogger(__name__)

VALIDATION_HEADER = "X-InsideViewAPI-ValidationCode"
SIGNATURE_HEADER = "X-InsideViewAPI-AlertDataSignature"
RECORDED_HEADERS = ("Content-Type", "User-Agent", SIGNATURE_HEADER)
MAX_RECORDED_BODY = 4000
MAX_STATUS_LENGTH = JobEvent._meta.get_field("status").max_length


@csrf_exempt
@login_not_required
@require_http_methods(["HEAD", "POST"])
def receive_webhook(request, token):
    job = (
        TechJob.objects.select_related("team__credential")
        .filter(webhook_token_hash=hash_webhook_token(token))
        .first()
    )
    if job is None:
        return JsonResponse({"error": "Unknown webhook."}, status=404)

    if request.method == "HEAD":
        response = HttpResponse()
        response[VALIDATION_HEADER] = request.headers.get(VALIDATION_HEADER, "")
        return response

    if not _signature_is_valid(job, request):
        logger.warning("webhook for job %s had a bad signature", job.code)
        return JsonResponse({"error": "Invalid signature."}, status=403)

    api_status = _status_named(request.body)
    if api_status is None:
        return JsonResponse({"error": "Expected a JSON job status."}, status=400)

    # The body is kept as text, cut to a size, because it comes from outside:
    # numbers such as 1e400 don't fit PostgreSQL's jsonb.
    JobEvent.objects.create(
        job=job,
        kind=JobEvent.Kind.WEBHOOK,
        source=JobEvent.Source.WEBHOOK,
        status=api_status,
        detail={
            "headers": {
                name: request.headers.get(name, "")[:200] for name in RECORDED_HEADERS
            },
            "body": request.body[:MAX_RECORDED_BODY].decode("utf-8", "replace"),
        },
    )
    transaction.on_commit(lambda: refresh_job.delay(job.pk, JobEvent.Source.WEBHOOK))
    return JsonResponse({"received": True})


def _status_named(body: bytes) -> str | None:
    """Return the status a delivery names, or None unless it is a JSON job status."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    status = data.get("status")
    if not isinstance(status, str) or not 0 < len(status) <= MAX_STATUS_LENGTH:
        return None
    return status


def _signature_is_valid(job: TechJob, request) -> bool:
    credential = getattr(job.team, "credential", None)
    secret = credential.signing_secret if credential else ""
    if not secret:
        return True
    expected = hmac.new(secret.encode(), request.body, hashlib.sha1).hexdigest()
    received = request.headers.get(SIGNATURE_HEADER, "").lower()
    return hmac.compare_digest(expected, received)
