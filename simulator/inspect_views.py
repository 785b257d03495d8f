"""Read-only routes that show the simulator's own state, for tests and soak runs.

They are not part of the InsideView API: they need no access token, no fault
is injected into them and they count against no throttling window.
"""

import csv
import io

from django.http import JsonResponse

from simulator import errors, results, runtime
from simulator.api import check_method
from simulator.errors import ApiError
from simulator.render import render_error
from simulator.state import JobStatus


def list_jobs(request):
    """Return every job of every account, oldest first, and each account's totals."""
    try:
        check_method(request, ("GET",))
    except ApiError as error:
        return render_error(request, error, as_json=True)

    store = runtime.current().store
    with store.lock:
        jobs = [_job_summary(job) for job in store.all_jobs()]
        accounts = {
            account.client_id: {
                "consumedCredits": sum(account.consumed.values()),
                "peakActiveJobs": account.peak_active_jobs,
            }
            for account in store.accounts.values()
        }
    return JsonResponse({"jobs": jobs, "accounts": accounts})


def job_detail(request, job_id):
    """Return one job with its results rows once it has ended with results."""
    try:
        check_method(request, ("GET",))
        store = runtime.current().store
        job = store.find_job_by_id(job_id)
        if job is None:
            raise errors.job_not_found()
    except ApiError as error:
        return render_error(request, error, as_json=True)

    with store.lock:
        body = _job_summary(job)
        status = job.status
    body["results"] = None
    if status in (JobStatus.FINISHED, JobStatus.FAILED):
        text = results.results_csv(job)
        body["results"] = list(csv.DictReader(io.StringIO(text)))
    return JsonResponse(body)


def _job_summary(job):
    return {
        "jobId": job.job_id,
        "clientId": job.account.client_id,
        "status": str(job.status),
        "totalProcessed": job.total_processed,
        "creditsConsumed": job.credits_consumed,
        "companyIds": list(job.company_ids),
        "webhook": job.webhook,
        "failureReason": job.failure_reason,
    }
