"""Which part of the platform owns a public path: an ordered table, first match wins (SPEC §3.1)."""

from __future__ import annotations

import re
from dataclasses import dataclass

GATEWAY = "gateway"  # served by the gateway itself (admin API, composites)


@dataclass(frozen=True)
class RouteRule:
    pattern: re.Pattern[str]
    target: str


def _rules(*pairs: tuple[str, str]) -> tuple[RouteRule, ...]:
    return tuple(RouteRule(re.compile(pattern), target) for pattern, target in pairs)


# More specific organisation sub-resources come before the registry's catch-all for organisations.
ROUTES: tuple[RouteRule, ...] = _rules(
    (r"^/api/v1/admin(/|$)", GATEWAY),
    (r"^/api/v1/organisations/[^/]+/profile$", GATEWAY),
    (r"^/api/v1/organisations/[^/]+/tender-matches", "procurement"),
    (r"^/api/v1/organisations/[^/]+/impact", "impact"),
    (r"^/api/v1/(organisations|reference)(/|$)", "registry"),
    (r"^/api/v1/(tenders|alerts)(/|$)", "procurement"),
    (r"^/api/v1/(assets|acv|cat|scotland)(/|$)", "land"),
    (r"^/api/v1/(spend|lm3|indicators|social-value)(/|$)", "impact"),
)


def resolve(path: str) -> str | None:
    """The owner of `path` (a service name or GATEWAY), or None when nothing serves it."""
    for rule in ROUTES:
        if rule.pattern.match(path):
            return rule.target
    return None
