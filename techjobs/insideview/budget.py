"""Each credential's request budget over InsideView's 5-minute throttling window.

The API counts requests per account over 5 minutes and, once over its limit,
locks every token of the account out for another 5 minutes. Counting our own
requests in Redis, shared by every worker, keeps techjobs under the limit
instead of finding it with a 429.
"""

import time
import uuid
from functools import cache

import redis
from django.conf import settings

WINDOW_SECONDS = 300

# Atomically: drop entries older than the window, and add this request unless
# the window is full. Returns 0 when the request may go, else the seconds
# until the oldest entry leaves the window.
_TAKE = """
local key, now, window, limit, member = KEYS[1], tonumber(ARGV[1]),
    tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < limit then
    redis.call('ZADD', key, now, member)
    redis.call('EXPIRE', key, math.ceil(window))
    return '0'
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return tostring(tonumber(oldest[2]) + window - now)
"""


class BudgetExhausted(Exception):
    def __init__(self, wait: float):
        self.wait = wait
        super().__init__(
            f"The 5-minute request budget is used up; {wait:.0f} s to wait."
        )


@cache
def _script():
    client = redis.Redis.from_url(settings.REDIS_URL)
    return client.register_script(_TAKE)


def take(credential_id: int, limit: int) -> None:
    """Count one request of the credential, or raise BudgetExhausted."""
    wait = float(
        _script()(
            keys=[f"techjobs:requests:{credential_id}"],
            args=[time.time(), WINDOW_SECONDS, limit, uuid.uuid4().hex],
        )
    )
    if wait > 0:
        raise BudgetExhausted(wait)


def used(credential_id: int) -> int:
    """Return how many requests the credential made in the current window."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    key = f"techjobs:requests:{credential_id}"
    client.zremrangebyscore(key, "-inf", time.time() - WINDOW_SECONDS)
    return client.zcard(key)
