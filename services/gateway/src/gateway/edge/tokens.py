"""Internal tokens for forwarded requests, reused while fresh so the hot path rarely signs anything.

Reuse does not weaken revocation: the key itself is looked up on every request before a token is taken
from here, and a token outlives its last use by at most half its lifetime.
"""

from __future__ import annotations

import time

from localwealth_shared.auth import TOKEN_TTL_S, Principal, issue_internal_token

_MAX_ENTRIES = 10_000


class TokenMinter:
    def __init__(self, secret: str, ttl_s: int = TOKEN_TTL_S) -> None:
        self.secret = secret
        self.ttl_s = ttl_s
        self._cache: dict[Principal, tuple[str, float]] = {}

    def token_for(self, principal: Principal) -> str:
        now = time.monotonic()
        cached = self._cache.get(principal)
        if cached is not None and cached[1] > now:
            return cached[0]
        if len(self._cache) >= _MAX_ENTRIES:
            self._cache.clear()
        token = issue_internal_token(principal, self.secret, ttl_s=self.ttl_s)
        self._cache[principal] = (token, now + self.ttl_s / 2)
        return token
