"""A per-client throttle on failed log-ins (issue #14): past the limit, a client address is
refused before any password or code is checked, whatever login it names — so guessing
across many logins from one place is slowed as much as guessing one (the account lock
stops only the latter). `limits` (the library PyPI's Warehouse uses for the same purpose),
with a moving window kept in the process's memory: a restart forgets it, which costs an
attacker nothing they could not get by waiting, and several console processes each keep
their own. Behind a reverse proxy the address is the proxy's: run uvicorn with
`--forwarded-allow-ips` naming it, so that the client's own address is used."""

from __future__ import annotations

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class LoginThrottle:
    def __init__(self, failures: int, minutes: int) -> None:
        self._limit = RateLimitItemPerMinute(failures, minutes)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def allows(self, client: str) -> bool:
        """Whether this client may try again."""
        return self._limiter.test(self._limit, client)

    def failed(self, client: str) -> None:
        self._limiter.hit(self._limit, client)
