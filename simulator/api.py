"""The checks every InsideView API call goes through before its view runs."""

import functools
import time

from simulator import errors, runtime
from simulator.errors import ApiError
from simulator.render import render_error


def check_method(request, allowed):
    if request.method not in allowed:
        raise errors.method_not_allowed(request.method, allowed)


def api_view(*methods, tech_profile=False):
    """Wrap a view that takes (request, account, ...) with the API's checks.

    In order: the HTTP method (405), the `accessToken` header (401), throttling
    (429) and, with `tech_profile`, whether the account may use the techProfile
    APIs (405). An ApiError raised anywhere becomes an error body.
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                check_method(request, methods)
                current = runtime.current()
                current.scenario.before_request(request)
                account = current.store.authorize(
                    request.headers.get("accessToken"), time.monotonic()
                )
                if tech_profile and not account.tech_profile_enabled:
                    raise errors.api_not_enabled()
                return view(request, account, *args, **kwargs)
            except ApiError as error:
                return render_error(request, error)

        return wrapper

    return decorate
