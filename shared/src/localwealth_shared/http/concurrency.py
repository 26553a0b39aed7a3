"""Optimistic concurrency: `version` → `ETag`, and `If-Match` checked on PATCH/DELETE (412 on mismatch)."""

from __future__ import annotations

from fastapi import Request, Response

from localwealth_shared.http.problems import PreconditionFailed


def etag(version: int) -> str:
    return f'W/"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def check_if_match(request: Request, current_version: int) -> None:
    """Refuse the write when the client's If-Match names another version. Absent If-Match is allowed."""
    header = request.headers.get("if-match")
    if header is None:
        return
    candidates = {c.strip() for c in header.split(",")}
    if "*" in candidates:
        return
    accepted = {etag(current_version), f'"{current_version}"'}
    if not candidates & accepted:
        raise PreconditionFailed(
            f"the resource is at version {current_version}; "
            f"fetch it again and retry with If-Match: {etag(current_version)}",
            code="version_mismatch",
            extra={"current_version": current_version},
        )
