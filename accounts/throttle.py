"""Login throttling: failed attempts counted per email and per IP in the cache.

The counters live in the default cache, which is Redis in every deployment,
so all web processes share them. A window starts with the first failure and
lasts LOGIN_FAILURE_WINDOW_SECONDS; once a counter reaches its limit, logins
for that email or IP are rejected until the window ends.
"""

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

PREFIX = "login-failures"


@dataclass(frozen=True)
class Lockout:
    retry_at: float

    @property
    def minutes_left(self) -> int:
        return max(1, -(-int(self.retry_at - time.time()) // 60))


def _keys(email: str, ip: str) -> list[tuple[str, int]]:
    # The email is hashed so the cache contains no addresses.
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return [
        (f"{PREFIX}:email:{digest}", settings.LOGIN_FAILURES_PER_EMAIL),
        (f"{PREFIX}:ip:{ip}", settings.LOGIN_FAILURES_PER_IP),
    ]


def check(email: str, ip: str) -> Lockout | None:
    """Return the lockout in force for this email or IP, or None."""
    for key, limit in _keys(email, ip):
        values = cache.get_many([key, f"{key}:start"])
        if values.get(key, 0) >= limit:
            start = values.get(f"{key}:start", time.time())
            return Lockout(retry_at=start + settings.LOGIN_FAILURE_WINDOW_SECONDS)
    return None


def record_failure(email: str, ip: str) -> None:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    for key, _ in _keys(email, ip):
        # add() only sets a missing key, so the window starts at the first
        # failure and incr() stays atomic across processes.
        cache.add(f"{key}:start", time.time(), timeout=window)
        cache.add(key, 0, timeout=window)
        try:
            cache.incr(key)
        except ValueError:
            # The window ended between add() and incr().
            cache.set(key, 1, timeout=window)


def client_ip(request) -> str:
    """Return the client's address, taken from the proxy's header behind one."""
    if settings.BEHIND_HTTPS_PROXY:
        forwarded = request.headers.get("X-Forwarded-For", "")
        # The proxy appends the address it saw, so the last entry is the one
        # a client can't forge.
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def clear(email: str) -> None:
    """Forget an email's failures after a successful login."""
    key, _ = _keys(email, "")[0]
    cache.delete_many([key, f"{key}:start"])
