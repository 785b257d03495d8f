"""The endpoint InsideView calls when a job's status changes.

A delivery is a hint, not the truth: it is recorded, a newer status it
names is applied, and a status check against the API is queued.
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

from .lifecycle import apply_api_status
from .models import JobEvent, TechJob, hash_webhook_token

logger = logging.getLogger(__name__)

VALIDATION_HEADER = "X-InsideViewAPI-ValidationCode"
SIGNATURE_HEADER = "X-InsideViewAPI-AlertDataSignature"
RECORDED_HEADERS = ("Content-Type", "User-Agent", SIGNATURE_HEADER)


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

    try:
        body = json.loads(request.body)
        api_status = str(body["status"])
        total = body.get("totalProcessed")
        total = int(total) if total not in (None, "") else None
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "Expected a JSON job status."}, status=400)

    JobEvent.objects.create(
        job=job,
        kind=JobEvent.Kind.WEBHOOK,
        source=JobEvent.Source.WEBHOOK,
        status=api_status,
        detail={
            "headers": {
                name: request.headers.get(name, "") for name in RECORDED_HEADERS
            },
            "body": body,
        },
    )
    apply_api_status(
        job, api_status, total_processed=total, source=JobEvent.Source.WEBHOOK
    )
    transaction.on_commit(lambda: _after_delivery(job.pk))
    return JsonResponse({"received": True})


def _after_delivery(job_id: int) -> None:
    from .tasks import after_status_change, refresh_job

    job = TechJob.objects.get(pk=job_id)
    after_status_change(job)
    if not job.has_ended and job.status != TechJob.Status.FINISHED:
        refresh_job.delay(job.pk, JobEvent.Source.WEBHOOK)


def _signature_is_valid(job: TechJob, request) -> bool:
    credential = getattr(job.team, "credential", None)
    secret = credential.signing_secret if credential else ""
    if not secret:
        return True
    expected = hmac.new(secret.encode(), request.body, hashlib.sha1).hexdigest()
    return hmac.compare_digest(
        expected, request.headers.get(SIGNATURE_HEADER, "").lower()
    )
