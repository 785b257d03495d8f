"""The /admin/usage and /admin/jobs endpoints."""

from datetime import datetime

from django.urls import reverse

from simulator import errors, runtime
from simulator.api import api_view
from simulator.render import render
from simulator.state import JOB_TYPE, utc_now

# Each format's output is a prefix of the day format's, so truncating a
# "YYYY-MM-DD" date to the length of `start` gives its month or year.
PERIOD_FORMATS = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}

JOB_STATUS_CODES = range(-1, 5)
MAX_RESULTS_PER_PAGE = 50


def parse_period(params, *, required):
    """Return (period, start, end) from the request, or None when all are absent
    and not required. Raises ApiError 400 for a missing or malformed value."""
    if not required and not any(
        params.get(name) for name in ("period", "start", "end")
    ):
        return None

    period = params.get("period")
    if period not in PERIOD_FORMATS:
        raise errors.illegal_value("period")

    bounds = []
    for name in ("start", "end"):
        value = params.get(name, "")
        try:
            datetime.strptime(value, PERIOD_FORMATS[period])
        except ValueError:
            raise errors.illegal_value(name) from None
        bounds.append(value)

    start, end = bounds
    if start > end:
        raise errors.illegal_value("end")
    return period, start, end


def parse_int(params, name, default, minimum, maximum=None):
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise errors.invalid_number(name) from None
    if number < minimum:
        raise errors.too_small(name, minimum, number)
    if maximum is not None and number > maximum:
        raise errors.too_large(name, maximum, number)
    return number


def parse_status_codes(request):
    """Return the jobStatuses filter as a set of codes, or None when absent.

    Accepts repeated parameters and comma-separated lists.
    """
    values = [
        part.strip()
        for value in request.GET.getlist("jobStatuses")
        for part in value.split(",")
        if part.strip()
    ]
    if not values:
        return None
    try:
        codes = {int(value) for value in values}
    except ValueError:
        raise errors.illegal_value("jobStatuses") from None
    if not codes <= set(JOB_STATUS_CODES):
        raise errors.illegal_value("jobStatuses")
    return codes


@api_view("GET")
def usage(request, account):
    """Return the account's transactions per API and period, and its credits."""
    period, start, end = parse_period(request.GET, required=True)
    current = runtime.current()

    totals = {}
    with current.store.lock:
        for (day, api), transactions in account.usage.items():
            date = day[: len(start)]
            if start <= date <= end:
                totals[(date, api)] = totals.get((date, api), 0) + transactions
        now = utc_now()
        allocated = account.monthly_credits
        consumed = allocated - account.credits_left(now)

    body = {
        "accountId": account.client_id,
        "period": period,
        "start": start,
        "end": end,
        "usageForAccount": [
            {"api": api, "transactions": transactions, "date": date}
            for (date, api), transactions in sorted(totals.items())
        ],
        "creditsForAccount": [
            {"allocatedCredits": allocated, "consumedCredits": consumed}
        ],
        "bulkJobReferenceUrl": request.build_absolute_uri(reverse("admin-jobs")),
    }
    return render(request, "usage", body)


@api_view("GET")
def list_jobs(request, account):
    """Return the account's bulk jobs, newest first, one page at a time.

    No jobTypes code for techProfile jobs is documented, so that filter is ignored.
    """
    period = parse_period(request.GET, required=False)
    status_codes = parse_status_codes(request)
    page = parse_int(request.GET, "page", 1, 1)
    per_page = parse_int(
        request.GET, "resultsPerPage", 10, 1, maximum=MAX_RESULTS_PER_PAGE
    )

    store = runtime.current().store
    with store.lock:
        jobs = store.jobs_of(account)
        rows = []
        for job in reversed(jobs):
            created = job.created_at.strftime("%Y-%m-%d")
            if period is not None:
                _, start, end = period
                if not start <= created[: len(start)] <= end:
                    continue
            if status_codes is not None and job.status.code not in status_codes:
                continue
            rows.append(
                {
                    "jobId": job.job_id,
                    "jobType": JOB_TYPE,
                    "jobStatus": str(job.status),
                    "createdDate": created,
                    "creditsConsumed": job.credits_consumed,
                }
            )

    first = (page - 1) * per_page
    return render(request, "bulkJobList", {"bulkJobs": rows[first : first + per_page]})
