import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.template.defaultfilters import filesizeformat
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, HttpResponseStopPolling

from accounts.teams import require_membership

from . import exports, ledger, parsing, reports, services
from .forms import ConfirmForm, UploadForm
from .models import ENDED_STATUSES, JobEvent, TechJob, TechResult, Upload
from .uploads import CappedUploadHandler

PENDING_KEY = "pending_uploads"
MAX_PENDING = 3
RESULTS_TARGET = "results-section"


def _job_for_user(request, code) -> TechJob:
    membership = require_membership(request)
    return get_object_or_404(
        TechJob.objects.select_related("upload", "team"),
        code=code,
        team=membership.team,
    )


def _upload_for_user(request, code) -> Upload:
    membership = require_membership(request)
    return get_object_or_404(Upload, code=code, team=membership.team)


def _submitter(request):
    membership = require_membership(request)
    if not membership.can_submit:
        raise PermissionDenied(
            f"You are a viewer in {membership.team.name}: you can review results but "
            "not submit lists. Ask a team owner to make you a member."
        )
    return membership


@require_GET
def dashboard(request):
    membership = require_membership(request)
    team = membership.team
    uploads = Upload.objects.filter(team=team).prefetch_related("jobs")[:10]
    running = (
        TechJob.objects.filter(team=team)
        .exclude(status__in=ENDED_STATUSES)
        .select_related("upload")
    )
    return render(
        request,
        "techjobs/dashboard.html",
        {"uploads": uploads, "running": running[:20], "usage": ledger.usage(team)},
    )


@require_GET
def new_upload(request):
    membership = _submitter(request)
    initial = {}
    if request.GET.get("job"):
        job = _job_for_user(request, _uuid_or_404(request.GET["job"]))
        initial["ids"] = "\n".join(job.ids)
    return render(
        request,
        "techjobs/new_upload.html",
        {"form": UploadForm(initial=initial), "usage": ledger.usage(membership.team)},
    )


def _uuid_or_404(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Http404("No such job.") from None


@csrf_exempt
@require_POST
def preview_upload(request):
    # The upload handler must be in place before anything reads the body, and
    # the CSRF check reads it, so the check runs inside. A body too large to
    # read can't be checked, so it only gets a message: nothing is stored.
    request.upload_handlers = [CappedUploadHandler(request)]
    try:
        request.POST  # noqa: B018 (reads the body)
    except RequestDataTooBig:
        return _reject_oversized_paste(request)
    return _preview_upload(request)


@csrf_protect
def _preview_upload(request):
    membership = _submitter(request)
    form = UploadForm(request.POST, request.FILES)
    context = {"form": form, "usage": ledger.usage(membership.team)}
    if form.is_valid():
        context.update(_build_preview(request, membership.team, form))
    return _render_preview(request, context)


def _reject_oversized_paste(request):
    membership = _submitter(request)
    limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    context = {
        "form": UploadForm(),
        "usage": ledger.usage(membership.team),
        "rejection": (
            f"The pasted list is over {limit}. Split it into smaller parts, "
            "or save it as a file and upload that."
        ),
    }
    return _render_preview(request, context)


def _render_preview(request, context):
    template = "techjobs/_preview.html" if request.htmx else "techjobs/new_upload.html"
    return render(request, template, context)


def _build_preview(request, team, form) -> dict:
    upload = form.cleaned_data.get("file")
    try:
        if upload:
            parsing.check_size(upload.size, upload.name)
            report = parsing.parse_file(upload.name, upload.read())
        else:
            report = parsing.parse_text(form.cleaned_data["ids"])
    except parsing.UploadRejected as exc:
        return {"rejection": str(exc)}

    usage = ledger.usage(team)
    quota = team.quota
    jobs = -(-len(report.ids) // quota.ids_per_job) if report.ids else 0
    fits = len(report.ids) <= usage["left"]
    context = {"report": report, "job_count": jobs, "fits": fits}
    if not fits:
        context["quota_message"] = str(
            ledger.QuotaExceeded(
                requested=len(report.ids), left=usage["left"], limit=usage["limit"]
            )
        )
    if not hasattr(team, "credential"):
        context["credential_missing"] = True
    elif report.is_clean and fits:
        token = uuid.uuid4()
        _keep_pending(request, token, team, report)
        context["confirm_form"] = ConfirmForm(initial={"preview_token": token})
    return context


def _keep_pending(request, token, team, report) -> None:
    """Keep a clean preview in the session until it is confirmed.

    A few are kept, so previews made in several tabs can each be confirmed.
    """
    pending = request.session.get(PENDING_KEY) or {}
    pending[str(token)] = {"team": str(team.code), "report": report.to_dict()}
    request.session[PENDING_KEY] = dict(list(pending.items())[-MAX_PENDING:])


@require_POST
def confirm_upload(request):
    membership = _submitter(request)
    form = ConfirmForm(request.POST)
    token = str(form.cleaned_data["preview_token"]) if form.is_valid() else None
    pending = (request.session.get(PENDING_KEY) or {}).get(token) or {}
    existing = (
        token
        and Upload.objects.filter(team=membership.team, preview_token=token).first()
    )

    if existing:
        return _redirect_to_upload(request, existing)
    if not pending or pending["team"] != str(membership.team.code):
        messages.error(
            request, "That preview has expired. Paste or upload the list again."
        )
        return _redirect(request, "new-upload")

    report = dict(pending["report"])
    ids = report.pop("ids")
    try:
        upload = services.confirm_upload(
            team=membership.team,
            user=request.user,
            ids=ids,
            source=report.get("source", "paste"),
            report=report,
            preview_token=token,
        )
    except ledger.QuotaExceeded as exc:
        messages.error(request, str(exc))
        return _redirect(request, "new-upload")

    request.session[PENDING_KEY].pop(token, None)
    request.session.modified = True
    return _redirect_to_upload(request, upload)


def _redirect_to_upload(request, upload: Upload):
    """Redirect to the upload's only job, or to the upload when it has several."""
    jobs = list(upload.jobs.all()[:2])
    return _redirect(request, jobs[0] if len(jobs) == 1 else upload)


def _redirect(request, to):
    """Redirect to a model or URL name; htmx requests get it as HX-Redirect."""
    if request.htmx:
        return HttpResponseClientRedirect(resolve_url(to))
    return redirect(to)


@require_GET
def upload_detail(request, code):
    upload = _upload_for_user(request, code)
    jobs = list(upload.jobs.order_by("sequence"))
    ready = sum(job.status == TechJob.Status.RESULTS_READY for job in jobs)
    context = {
        "upload": upload,
        "jobs": jobs,
        "running": any(not job.has_ended for job in jobs),
        "ready": ready,
        "processed": sum(job.total_processed for job in jobs),
    }
    if ready:
        results = TechResult.objects.filter(job__upload=upload)
        context.update(_results_context(request, results))
        context["export_url"] = upload.get_absolute_url() + "results"

    if _wants_results_only(request):
        return render(request, "techjobs/_results.html", context)
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "techjobs/_upload_live.html", context)
        return response if context["running"] else _stop_polling(response)
    return render(request, "techjobs/upload_detail.html", context)


@require_GET
def job_detail(request, code):
    job = _job_for_user(request, code)
    context = _job_context(request, job)
    if _wants_results_only(request):
        return render(request, "techjobs/_results.html", context)
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "techjobs/_job_live.html", context)
        return _stop_polling(response) if job.has_ended else response
    return render(request, "techjobs/job_detail.html", context)


def _wants_results_only(request) -> bool:
    """Tell a search or page change of the results table from a poll of the page."""
    return bool(request.htmx) and request.htmx.target == RESULTS_TARGET


@require_POST
def cancel_job(request, code):
    _submitter(request)
    job = _job_for_user(request, code)
    message = f"Cancelled by {request.user}."
    if services.cancel_job(job, source=JobEvent.Source.USER, message=message):
        messages.success(request, "Job cancelled. Its ids went back to the quota.")
    else:
        messages.error(
            request,
            f"The job can't be cancelled: it is {job.get_status_display().lower()}, "
            "and InsideView only cancels jobs that haven't started processing.",
        )
    return _redirect(request, job)


def _job_context(request, job: TechJob) -> dict:
    return {
        "job": job,
        "events": job.events.all(),
        "export_url": job.get_absolute_url() + "results",
        **_results_context(request, TechResult.objects.filter(job=job)),
    }


def _results_context(request, results) -> dict:
    return reports.summarize(
        results, query=request.GET.get("q", ""), page_number=request.GET.get("page")
    )


def _stop_polling(response):
    """Return the same page with htmx's status 286, which ends the polling."""
    return HttpResponseStopPolling(response.content)


@require_GET
def job_results(request, code, fmt):
    job = _job_for_user(request, code)
    _check_format(fmt)
    day = f"{job.upload.created_at:%Y%m%d}"
    filename = f"techjobs-{day}-job{job.sequence}-{job.code.hex[:8]}"
    return _download(request, job, TechResult.objects.filter(job=job), fmt, filename)


@require_GET
def upload_results(request, code, fmt):
    upload = _upload_for_user(request, code)
    _check_format(fmt)
    filename = f"techjobs-{upload.created_at:%Y%m%d}-{upload.code.hex[:8]}"
    results = TechResult.objects.filter(job__upload=upload)
    return _download(request, upload, results, fmt, filename)


def _download(request, owner, results, fmt: str, filename: str):
    if fmt == "xlsx" and results.count() > exports.XLSX_MAX_ROWS:
        messages.error(
            request,
            f"These results have more than {exports.XLSX_MAX_ROWS:,} rows, too many "
            "to build as an Excel file while you wait. Download the CSV instead; "
            "Excel opens it too.",
        )
        return redirect(owner)
    return exports.export(results, fmt, filename)


def _check_format(fmt: str) -> None:
    if fmt not in exports.FORMATS:
        raise Http404(f"Results can be downloaded as {', '.join(exports.FORMATS)}.")
