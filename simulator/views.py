"""Health check, token endpoint, results download and error handlers."""

from django.http import HttpResponse, JsonResponse

from simulator import errors, results, runtime
from simulator.api import check_method
from simulator.errors import ApiError
from simulator.render import render, render_error

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip


def format_expiration_time(moment):
    """Format a UTC datetime like "Tue, Jul 21, 2015 09:08:17 PM GMT".

    The names are spelled out here so that the process locale can't change them.
    """
    day = _DAYS[moment.weekday()]
    month = _MONTHS[moment.month - 1]
    hour = moment.hour % 12 or 12
    meridiem = "AM" if moment.hour < 12 else "PM"
    return (
        f"{day}, {month} {moment.day:02d}, {moment.year} "
        f"{hour:02d}:{moment.minute:02d}:{moment.second:02d} {meridiem} GMT"
    )


def health(request):
    return JsonResponse({"service": "insideview-simulator", "status": "ok"})


def issue_token(request, as_json):
    """Exchange clientId and clientSecret for an access token.

    The parameters are read from the query string, or from a form body. The
    ".json" path always returns JSON, and the other one follows Accept.
    """
    json_or_accept = True if as_json else None
    try:
        check_method(request, ("POST",))
        params = {**request.POST.dict(), **request.GET.dict()}
        for name in ("clientId", "clientSecret", "grantType"):
            if not params.get(name):
                raise errors.illegal_value(name)
        if params["grantType"] != "cred":
            raise errors.illegal_value("grantType")

        current = runtime.current()
        current.scenario.before_request(request)
        lifetime = current.scenario.token_lifetime(
            params["clientId"], current.config.token_lifetime_seconds
        )
        usable = current.scenario.token_usable_seconds(params["clientId"], lifetime)
        token = current.store.issue_token(
            params["clientId"], params["clientSecret"], lifetime, usable
        )
    except ApiError as error:
        return render_error(request, error, as_json=json_or_accept)

    details = {
        "accessToken": token.value,
        "expirationTime": format_expiration_time(token.expires_at),
        "tokenType": "bearer",
    }
    return render(
        request, "accessTokenDetails", details, as_json=json_or_accept, wrap_json=True
    )


def download_results(request, job_type, job_id, file_name):
    """Serve a results file to any client with an unexpired link to it.

    The signed token in the link replaces the accessToken header, as the signed
    CloudFront links of the real API do.
    """
    try:
        check_method(request, ("GET",))
        current = runtime.current()
        lifetime = current.config.results_url_lifetime_seconds
        token = request.GET.get("token", "")
        if results.job_id_from_link_token(token, lifetime) != job_id:
            raise errors.forbidden_link()

        job = current.store.find_job_by_id(job_id)
        if job is None or file_name != results.file_name(job):
            raise errors.job_not_found()
    except ApiError as error:
        return render_error(request, error)

    response = HttpResponse(
        results.results_csv(job), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


def bad_request(request, exception):
    return render_error(request, errors.illegal_value("request"))


def not_found(request, exception):
    return render_error(request, errors.page_not_found(request.path))


def server_error(request):
    return render_error(request, errors.server_error())
