"""Who is calling: tenants, scopes and the internal token the gateway forwards.

The gateway authenticates API keys (stored hashed in its own database) and forwards each request with a
short-lived HS256 token naming the tenant, its area and the key's scopes. Every service verifies that
token itself (defence in depth), so a request that reaches a service directly without valid credentials
gets 401. Services also accept the platform admin key, and — when `gateway_url` is configured — API keys
presented directly, checked against the gateway on every call so a revoked key is refused at once.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
from fastapi import Request

from localwealth_shared.http.problems import Forbidden, Unauthorized

SCOPES = (
    "registry:read",
    "registry:write",
    "procurement:read",
    "procurement:write",
    "land:read",
    "land:write",
    "impact:read",
    "impact:write",
    "admin",
)
TOKEN_ISSUER = "localwealth-gateway"  # noqa: S105 - an issuer name, not a secret
TOKEN_AUDIENCE = "localwealth-services"  # noqa: S105 - an audience name
TOKEN_TTL_S = 120
ADMIN_TENANT_ID = "dev"


@dataclass(frozen=True)
class Principal:
    tenant_id: str
    scopes: frozenset[str]
    key_id: str
    tenant_kind: str = "council"
    area_lad_codes: tuple[str, ...] = ()
    tenant_name: str | None = None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes or "admin" in self.scopes

    def claims(self) -> dict[str, Any]:
        return {
            "sub": self.key_id,
            "tid": self.tenant_id,
            "tkind": self.tenant_kind,
            "tname": self.tenant_name,
            "area": list(self.area_lad_codes),
            "scopes": sorted(self.scopes),
        }

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> Principal:
        return cls(
            tenant_id=str(claims["tid"]),
            scopes=frozenset(claims.get("scopes", [])),
            key_id=str(claims["sub"]),
            tenant_kind=str(claims.get("tkind", "council")),
            area_lad_codes=tuple(claims.get("area", [])),
            tenant_name=claims.get("tname"),
        )


def issue_internal_token(principal: Principal, secret: str, ttl_s: int = TOKEN_TTL_S) -> str:
    now = int(time.time())
    payload = {**principal.claims(), "iss": TOKEN_ISSUER, "aud": TOKEN_AUDIENCE, "iat": now, "exp": now + ttl_s}
    return jwt.encode(payload, secret, algorithm="HS256")


def admin_principal(tenant_id: str = ADMIN_TENANT_ID) -> Principal:
    return Principal(tenant_id=tenant_id, scopes=frozenset(SCOPES), key_id="admin-key", tenant_name="Platform admin")


def bearer_credential(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, credential = header.partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        return None
    return credential.strip()


KeyIntrospector = Callable[[str], Coroutine[Any, Any, Principal | None]]


@dataclass
class Authenticator:
    secret: str
    admin_key: str
    gateway_url: str | None = None
    introspect: KeyIntrospector | None = None
    _http: httpx.AsyncClient | None = field(default=None, repr=False)

    async def authenticate(self, credential: str | None) -> Principal:
        if not credential:
            raise Unauthorized("missing bearer credentials")
        if credential.count(".") == 2:
            try:
                claims = jwt.decode(
                    credential,
                    self.secret,
                    algorithms=["HS256"],
                    audience=TOKEN_AUDIENCE,
                    issuer=TOKEN_ISSUER,
                    options={"require": ["exp", "iat", "sub"]},
                )
                return Principal.from_claims(claims)
            except (jwt.PyJWTError, KeyError) as exc:
                raise Unauthorized("invalid or expired token") from exc
        if hmac.compare_digest(credential.encode(), self.admin_key.encode()):
            return admin_principal()
        if self.introspect is not None:
            principal = await self.introspect(credential)
            if principal is not None:
                return principal
        elif self.gateway_url:
            principal = await self._introspect_at_gateway(credential)
            if principal is not None:
                return principal
        raise Unauthorized("unknown or revoked API key")

    async def _introspect_at_gateway(self, credential: str) -> Principal | None:
        if self._http is None:
            self._http = httpx.AsyncClient(base_url=self.gateway_url or "", timeout=5.0)
        try:
            resp = await self._http.post(
                "/internal/introspect",
                json={"key": credential},
                headers={"authorization": f"Bearer {issue_internal_token(admin_principal(), self.secret)}"},
            )
        except httpx.HTTPError:
            return None
        if resp.status_code != 200:
            return None
        return Principal.from_claims(resp.json())


def get_authenticator(request: Request) -> Authenticator:
    return request.app.state.authenticator  # type: ignore[no-any-return]


async def authenticate_request(request: Request) -> Principal:
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    principal = await get_authenticator(request).authenticate(bearer_credential(request))
    request.state.principal = principal
    return principal


def require(*scopes: str) -> Callable[[Request], Coroutine[Any, Any, Principal]]:
    """A dependency returning the caller, or 401/403 problems."""

    async def dependency(request: Request) -> Principal:
        principal = await authenticate_request(request)
        missing = [s for s in scopes if not principal.has_scope(s)]
        if missing:
            raise Forbidden(f"this API key lacks the scope {' and '.join(missing)}", code="scope_missing")
        return principal

    dependency.__name__ = f"require_{'_'.join(s.replace(':', '_') for s in scopes) or 'auth'}"
    return dependency


def validate_scopes(scopes: Iterable[str]) -> list[str]:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValueError(f"unknown scopes: {', '.join(unknown)}; valid scopes are {', '.join(SCOPES)}")
    return sorted(set(scopes))
