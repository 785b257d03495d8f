"""The only code that speaks HTTP to the InsideView API."""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import requests
from django.conf import settings

from accounts.models import TeamQuota

from . import budget
from .formats import MalformedResponse, decode, parse_expiry

logger = logging.getLogger(__name__)

JOB_PATH = "/api/v1/company/techProfile/job"

# Statuses that mean the request itself was rejected, so sending it again can't help.
PERMANENT_STATUSES = {400, 403, 404, 405, 415}

# The 400 messages InsideView documents for an account that is busy: the
# request is fine and can be sent again once a running job ends.
BUSY_MESSAGES = ("too many job", "jobs are already running")
BUSY_RETRY_SECONDS = 60

# Statuses a signed results link returns once it has expired.
EXPIRED_LINK_STATUSES = {403, 404, 410}

# Seconds to connect and to read for the health check, which must respond
# quickly even when the API hangs.
PING_TIMEOUT = (2, 3)


class ApiError(Exception):
    """A failed API call.

    `permanent` is true when retrying the same request can't succeed, and
    `throttled` when the request window of the account is used up.
    `retry_after` is the delay in seconds the API asked for, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error_number: str = "",
        permanent: bool = False,
        retry_after: float | None = None,
        throttled: bool = False,
    ):
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_number = error_number
        self.permanent = permanent
        self.retry_after = retry_after
        self.throttled = throttled

    def __str__(self):
        prefix = f"{self.error_number}: " if self.error_number else ""
        return f"{prefix}{self.message}"


@dataclass(frozen=True)
class JobStatus:
    job_id: str
    status: str
    total_processed: int | None


class InsideViewClient:
    """Calls the API on behalf of one team's credential.

    The access token is fetched on first use and cached, encrypted, on the
    credential; a 401 fetches a new token once and repeats the call.
    """

    def __init__(self, credential, *, session: requests.Session | None = None):
        self.credential = credential
        self.session = session or requests.Session()
        self._requests_per_window = None
        self.timeout = (
            settings.INSIDEVIEW_CONNECT_TIMEOUT,
            settings.INSIDEVIEW_READ_TIMEOUT,
        )

    def fetch_token(self) -> str:
        url = f"{settings.INSIDEVIEW_AUTH_URL}/Auth/login/v1/token.json"
        params = {
            "clientId": self.credential.client_id,
            "clientSecret": self.credential.client_secret,
            "grantType": "cred",
        }
        try:
            response = self._send(
                "POST", url, params=params, headers={"Accept": "application/json"}
            )
        except ApiError as exc:
            if exc.status == 401:
                raise _credentials_rejected(exc) from None
            raise
        details = decode(response).get("accessTokenDetails") or {}
        token = details.get("accessToken")
        if not token:
            raise ApiError("The token endpoint responded without an access token.")
        self.credential.store_access_token(
            token, parse_expiry(details.get("expirationTime"))
        )
        return token

    def submit(self, ids: list[str], webhook_url: str) -> JobStatus:
        response = self._call(
            "POST",
            JOB_PATH,
            params={"webhook": webhook_url},
            data=",".join(ids).encode(),
            headers={"Content-Type": "text/plain"},
        )
        return self._job_status(response)

    def status(self, job_id: str) -> JobStatus:
        return self._job_status(self._call("GET", f"{JOB_PATH}/{job_id}"))

    def cancel(self, job_id: str) -> JobStatus:
        return self._job_status(self._call("DELETE", f"{JOB_PATH}/{job_id}"))

    def results(self, job_id: str) -> bytes:
        """Return the results file, whether the API sends it directly or links it.

        A link can expire before it is used (a task waiting for its retry, say),
        so a link that no longer works is asked for once more.
        """
        content, url = self._results_or_link(job_id)
        if content is not None:
            return content
        try:
            return self._send("GET", url).content
        except ApiError as exc:
            if exc.status not in EXPIRED_LINK_STATUSES:
                raise
        logger.info("results link of job %s no longer works; asking again", job_id)
        content, url = self._results_or_link(job_id)
        return content if content is not None else self._send("GET", url).content

    def _results_or_link(self, job_id: str) -> tuple[bytes | None, str | None]:
        response = self._call("GET", f"{JOB_PATH}/{job_id}/results")
        content_type = response.headers.get("Content-Type", "")
        if "csv" in content_type or "octet-stream" in content_type:
            return response.content, None
        url = decode(response).get("resultsUrl")
        if not url:
            raise ApiError("The results response has neither a file nor a resultsUrl.")
        return None, url

    def usage(self, *, period: str, start: str, end: str) -> dict:
        """Return GET /api/v1/admin/usage for the period, decoded.

        `start` and `end` are formatted like the period: YYYY-MM-DD for day,
        YYYY-MM for month and YYYY for year.
        """
        response = self._call(
            "GET",
            "/api/v1/admin/usage",
            params={"period": period, "start": start, "end": end},
        )
        try:
            return decode(response)
        except MalformedResponse as exc:
            raise ApiError(f"Unexpected usage response from the API: {exc}") from None

    def ping(self) -> None:
        """Raise ApiError unless the API host responds within a few seconds."""
        response = self._send(
            "GET", f"{settings.INSIDEVIEW_API_URL}/", check=False, timeout=PING_TIMEOUT
        )
        if response.status_code >= 500:
            raise ApiError(f"The API responded with HTTP {response.status_code}.")

    def _call(
        self, method: str, path: str, *, headers=None, **kwargs
    ) -> requests.Response:
        url = f"{settings.INSIDEVIEW_API_URL}{path}"
        token = self.credential.cached_access_token() or self.fetch_token()
        all_headers = {"Accept": "application/json", **(headers or {})}
        try:
            self._take_budget()
            return self._send(
                method, url, headers={**all_headers, "accessToken": token}, **kwargs
            )
        except ApiError as exc:
            if exc.status != 401:
                raise
        self.credential.forget_access_token()
        token = self.fetch_token()
        try:
            self._take_budget()
            return self._send(
                method, url, headers={**all_headers, "accessToken": token}, **kwargs
            )
        except ApiError as exc:
            if exc.status == 401:
                raise _credentials_rejected(exc) from None
            raise

    def _take_budget(self) -> None:
        """Count a request against the credential's 5-minute window, or raise."""
        if self._requests_per_window is None:
            quota = TeamQuota.objects.filter(team_id=self.credential.team_id).first()
            self._requests_per_window = quota.requests_per_window if quota else 1000
        try:
            budget.take(self.credential.pk, self._requests_per_window)
        except budget.BudgetExhausted as exc:
            raise ApiError(str(exc), retry_after=exc.wait, throttled=True) from None

    def _send(
        self, method: str, url: str, *, check: bool = True, **kwargs
    ) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        try:
            response = self.session.request(method, url, **kwargs)
        except requests.Timeout:
            raise ApiError(f"The API timed out on {method} {_path(url)}.") from None
        except requests.RequestException as exc:
            reason = type(exc).__name__
            raise ApiError(
                f"Could not reach the API for {method} {_path(url)}: {reason}."
            ) from None
        if check and response.status_code >= 400:
            raise _error_from(response, method, url)
        return response

    def _job_status(self, response: requests.Response) -> JobStatus:
        try:
            data = decode(response)
            total = data.get("totalProcessed")
            return JobStatus(
                job_id=str(data["jobId"]),
                status=str(data["status"]),
                total_processed=int(total) if total not in (None, "") else None,
            )
        except (KeyError, ValueError, MalformedResponse) as exc:
            raise ApiError(
                f"Unexpected job status response from the API: {exc}"
            ) from None


def _credentials_rejected(exc: ApiError) -> ApiError:
    return ApiError(
        f"Credentials rejected: {exc.message} A team owner must check the client id "
        "and secret.",
        status=exc.status,
        error_number=exc.error_number,
        permanent=True,
    )


def _path(url: str) -> str:
    return requests.utils.urlparse(url).path


def _error_from(response: requests.Response, method: str, url: str) -> ApiError:
    try:
        body = decode(response)
    except MalformedResponse:
        body = {}
    status = response.status_code
    message = body.get("message") or f"HTTP {status} from {method} {_path(url)}."
    logger.warning(
        "InsideView responded %s to %s %s: %s",
        status,
        method,
        _path(url),
        message[:200],
    )
    busy = status == 400 and any(text in message.lower() for text in BUSY_MESSAGES)
    return ApiError(
        message,
        status=status,
        error_number=str(body.get("errorNumber") or ""),
        permanent=status in PERMANENT_STATUSES and not busy,
        retry_after=BUSY_RETRY_SECONDS
        if busy
        else _seconds(response.headers.get("Retry-After")),
        throttled=status == 429,
    )


def _seconds(retry_after: str | None) -> float | None:
    """Read a Retry-After header given in seconds or as an HTTP date."""
    if not retry_after:
        return None
    if retry_after.strip().isdigit():
        return float(retry_after)
    try:
        moment = parsedate_to_datetime(retry_after)
    except (TypeError, ValueError):
        return None
    return max((moment - datetime.now(UTC)).total_seconds(), 0.0)
