"""The reverse proxy: authenticate at the edge, then forward to the owning service with an internal token.

Lean on purpose (it is on every request's path): raw header lists, small bodies read in one go, large
ones (imports up to the upload limit) streamed through, pooled keep-alive connections per service.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from localwealth_shared.auth import authenticate_request
from localwealth_shared.http.problems import NotFound, Problem, ServiceUnavailable
from localwealth_shared.observability.context import current_request_id, current_traceparent
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Match, Route

from gateway.edge.tokens import TokenMinter
from gateway.proxy.routing import GATEWAY, resolve
from gateway.proxy.upstreams import Upstreams

# End-to-end request headers passed on; everything else (cookies, the caller's Authorization, hop-by-hop
# headers) stays at the gateway. x-request-id and traceparent are the gateway's own, set below.
FORWARDED_REQUEST_HEADERS = frozenset(
    {
        b"accept",
        b"accept-encoding",
        b"accept-language",
        b"content-type",
        b"content-length",
        b"content-encoding",
        b"idempotency-key",
        b"if-match",
        b"if-none-match",
        b"if-modified-since",
        b"user-agent",
        b"prefer",
    }
)
# Response headers not copied back: hop-by-hop ones, and those the gateway's own server and middleware set.
DROPPED_RESPONSE_HEADERS = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"date",
        b"server",
        b"x-request-id",
        b"traceparent",
    }
)
BUFFER_LIMIT = 1_048_576  # bodies up to 1 MiB are read whole; larger or unsized ones are streamed
BODYLESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PROXY_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def service_unavailable(service: str, detail: str) -> ServiceUnavailable:
    return ServiceUnavailable(
        detail, code="service_unavailable", headers={"Retry-After": "5"}, extra={"service": service}
    )


def not_deployed(service: str) -> ServiceUnavailable:
    return ServiceUnavailable(
        f"the {service} service is not deployed on this platform",
        code="service_not_deployed",
        extra={"service": service},
    )


def upstream_headers(request: Request, token: str) -> list[tuple[bytes, bytes]]:
    headers = [(k, v) for k, v in request.headers.raw if k in FORWARDED_REQUEST_HEADERS]
    headers.append((b"authorization", b"Bearer " + token.encode()))
    request_id, traceparent = current_request_id(), current_traceparent()
    if request_id:
        headers.append((b"x-request-id", request_id.encode()))
    if traceparent:
        headers.append((b"traceparent", traceparent.encode()))
    client = request.client
    if client is not None:
        headers.append((b"x-forwarded-for", client.host.encode()))
    headers.append((b"x-forwarded-proto", request.url.scheme.encode()))
    return headers


async def _request_content(request: Request) -> bytes | AsyncIterator[bytes] | None:
    if request.method in BODYLESS_METHODS:
        return None
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) <= BUFFER_LIMIT:
        return await request.body()
    if length is None and "transfer-encoding" not in request.headers:
        return None
    return request.stream()  # the body guard in front of us still enforces the size limits while streaming


def _local_miss(request: Request) -> Problem:
    """A path the gateway serves itself but with no route for this method/path: 405 or 404, as Starlette would."""
    for route in request.app.router.routes:
        if getattr(route, "path", None) != PROXY_PATH:
            match, _ = route.matches(request.scope)
            if match is Match.PARTIAL:
                return Problem(f"{request.method} is not allowed here", status=405, code="method_not_allowed")
    return NotFound(f"no route {request.url.path}", code="not_found")


async def forward(request: Request) -> Response:
    path = request.url.path
    service = resolve(path)
    if service is None:
        raise NotFound(f"no API route {path}", code="route_not_found")
    if service == GATEWAY:
        raise _local_miss(request)
    principal = await authenticate_request(request)  # 401 here, before revealing what is deployed
    upstreams: Upstreams = request.app.state.upstreams
    client = upstreams.client(service)
    if client is None:
        raise not_deployed(service)
    minter: TokenMinter = request.app.state.token_minter

    content = await _request_content(request)
    raw_path = request.scope.get("raw_path") or path.encode()
    query = request.scope.get("query_string") or b""
    target = raw_path + (b"?" + query if query else b"")
    upstream_request = client.build_request(
        request.method,
        target.decode("latin-1"),
        headers=upstream_headers(request, minter.token_for(principal)),
        content=content,
    )
    try:
        upstream = await client.send(upstream_request, stream=True)
    except httpx.TimeoutException as exc:
        raise service_unavailable(service, f"the {service} service did not answer in time") from exc
    except httpx.TransportError as exc:
        raise service_unavailable(service, f"the {service} service is unavailable") from exc

    headers = [(k.lower(), v) for k, v in upstream.headers.raw if k.lower() not in DROPPED_RESPONSE_HEADERS]
    length = upstream.headers.get("content-length")
    if request.method == "HEAD" or (length is not None and length.isdigit() and int(length) <= BUFFER_LIMIT):
        try:
            body = b"".join([chunk async for chunk in upstream.aiter_raw()])
        except httpx.HTTPError as exc:
            raise service_unavailable(service, f"the {service} service broke off its answer") from exc
        finally:
            await upstream.aclose()
        response = Response(body, status_code=upstream.status_code)
        # Keep the upstream's own content-length for HEAD; otherwise it equals len(body).
        response.raw_headers = (
            headers
            if request.method == "HEAD"
            else ([h for h in headers if h[0] != b"content-length"] + [(b"content-length", str(len(body)).encode())])
        )
        return response
    streamed = StreamingResponse(
        upstream.aiter_raw(), status_code=upstream.status_code, background=BackgroundTask(upstream.aclose)
    )
    streamed.raw_headers = headers
    return streamed


PROXY_PATH = "/api/v1/{path:path}"


def proxy_route() -> Route:
    """Added after every local route, so local paths win and everything else under /api/v1 is forwarded."""
    return Route(PROXY_PATH, forward, methods=PROXY_METHODS, include_in_schema=False)
