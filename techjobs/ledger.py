"""The usage ledger: reserve on confirmation, then consume or refund once."""

from datetime import date

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from accounts.models import Team, TeamQuota

from .models import TechJob, UsageEntry

Kind = UsageEntry.Kind


class QuotaExceeded(Exception):
    def __init__(self, *, requested: int, left: int, limit: int):
        self.requested = requested
        self.left = left
        self.limit = limit
        super().__init__(
            f"This list needs {requested:,} company ids but the team has {left:,} "
            f"of its {limit:,} left this month. Remove ids or ask an administrator "
            "to raise the monthly quota."
        )


def current_month() -> date:
    return timezone.localdate().replace(day=1)


def next_reset(month: date) -> date:
    if month.month == 12:
        return date(month.year + 1, 1, 1)
    return date(month.year, month.month + 1, 1)


def usage(team: Team, month: date | None = None, *, quota=None) -> dict:
    """Return the team's ids used, reserved and left in a month, and its limit.

    `quota` is the team's TeamQuota row when the caller has already locked it.
    """
    month = month or current_month()
    totals = UsageEntry.objects.filter(team=team, month=month).aggregate(
        reserved=Sum("ids", filter=Q(kind=Kind.RESERVE), default=0),
        consumed=Sum("ids", filter=Q(kind=Kind.CONSUME), default=0),
        refunded=Sum("ids", filter=Q(kind=Kind.REFUND), default=0),
    )
    limit = (quota or team.quota).monthly_ids
    spent = totals["reserved"] - totals["refunded"]
    pending = spent - totals["consumed"]
    return {
        "limit": limit,
        "used": totals["consumed"],
        "reserved": pending,
        "left": max(limit - spent, 0),
        "percent": _percent(spent, limit),
        "resets_on": next_reset(month),
    }


def _percent(spent: int, limit: int) -> int:
    """Return the share used in whole percent; 100 only when nothing is left."""
    if limit <= 0 or spent >= limit:
        return 100
    return min(round(100 * spent / limit), 99)


def reserve(team: Team, jobs: list[TechJob]) -> None:
    """Reserve every job's ids at once, or raise QuotaExceeded and reserve none.

    The team's quota row is locked first, so confirmations racing for the
    last ids of a month are counted one after another.
    """
    assert transaction.get_connection().in_atomic_block
    quota = TeamQuota.objects.select_for_update().get(team=team)

    month = current_month()
    requested = sum(job.id_count for job in jobs)
    status = usage(team, month, quota=quota)
    if requested > status["left"]:
        raise QuotaExceeded(
            requested=requested, left=status["left"], limit=status["limit"]
        )

    UsageEntry.objects.bulk_create(
        UsageEntry(team=team, job=job, kind=Kind.RESERVE, ids=job.id_count, month=month)
        for job in jobs
    )


def settle(job: TechJob, kind: str) -> bool:
    """Consume or refund a job's reservation; return False if it was already settled."""
    assert kind in (Kind.CONSUME, Kind.REFUND)
    with transaction.atomic():
        # Locking the reservation makes a consume racing a refund for the
        # same job wait, so the second one finds the first and does nothing.
        # The unique constraint alone only stops two of the same kind.
        reservation = (
            UsageEntry.objects.select_for_update()
            .filter(job=job, kind=Kind.RESERVE)
            .first()
        )
        if reservation is None:
            return False
        if UsageEntry.objects.filter(
            job=job, kind__in=[Kind.CONSUME, Kind.REFUND]
        ).exists():
            return False
        UsageEntry.objects.create(
            job=job,
            kind=kind,
            team_id=job.team_id,
            ids=reservation.ids,
            month=reservation.month,
        )
    return True
