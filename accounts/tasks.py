"""Periodic tasks of the accounts app."""

import logging

from celery import shared_task
from django.utils import timezone

from techjobs.insideview import ApiError, InsideViewClient
from techjobs.ledger import current_month

from .crypto import CredentialKeyError
from .models import ApiCredential

logger = logging.getLogger(__name__)


@shared_task
def read_api_usage() -> None:
    """Store each credential's consumed credits this month, as InsideView reports them.

    The admin shows them beside the team's own ledger, so staff notice when
    the two drift apart.
    """
    for credential in ApiCredential.objects.select_related("team").iterator():
        read_usage(credential)


def read_usage(credential: ApiCredential) -> bool:
    """Read and store one credential's usage; return whether the read succeeded."""
    month = current_month()
    period = f"{month:%Y-%m}"
    now = timezone.now()
    try:
        body = InsideViewClient(credential).usage(
            period="month", start=period, end=period
        )
        credits = (body.get("creditsForAccount") or [{}])[0]
        consumed = int(credits["consumedCredits"])
        allocated = int(credits["allocatedCredits"])
    except (ApiError, CredentialKeyError, KeyError, TypeError, ValueError) as exc:
        logger.warning("usage of team %s not read: %s", credential.team.code, exc)
        ApiCredential.objects.filter(pk=credential.pk).update(
            api_usage_error=f"{now:%Y-%m-%d %H:%M}: {exc}"[:500]
        )
        return False

    ApiCredential.objects.filter(pk=credential.pk).update(
        api_usage_month=month,
        api_consumed_credits=consumed,
        api_allocated_credits=allocated,
        api_usage_read_at=now,
        api_usage_error="",
    )
    return True
