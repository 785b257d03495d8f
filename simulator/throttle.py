"""Request throttling with InsideView's rules.

Requests are counted per access token over a fixed window. Once a token goes past
the limit, every token of its account is rejected for one whole window, and then all
counts restart at zero. The caller serialises access, so this class takes no lock.
"""


class Throttle:
    def __init__(self, limit, window_seconds):
        self.limit = limit
        self.window_seconds = window_seconds
        # client id -> {token -> (window start, request count)}
        self._windows = {}
        # client id -> monotonic time when the lock-out ends
        self._locked_until = {}

    def allow(self, client_id, token, now):
        """Count one request and return whether it may go ahead."""
        locked_until = self._locked_until.get(client_id)
        if locked_until is not None:
            if now < locked_until:
                return False
            del self._locked_until[client_id]

        windows = self._windows.setdefault(client_id, {})
        start, count = windows.get(token, (now, 0))
        if now - start >= self.window_seconds:
            start, count = now, 0
        count += 1
        if count <= self.limit:
            windows[token] = (start, count)
            return True

        self._locked_until[client_id] = now + self.window_seconds
        del self._windows[client_id]
        return False

    def seconds_locked(self, client_id, now):
        """Return the seconds left in the account's lock-out, 0 if there is none."""
        locked_until = self._locked_until.get(client_id)
        if locked_until is None:
            return 0.0
        return max(locked_until - now, 0.0)
