"""Request-scoped dependencies of the impact service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from localwealth_shared.auth import Principal, require
from localwealth_shared.http.sessions import ReadSession, WriteSession

from impact.suppliers.reconcile import Thresholds

__all__ = ["ReadSession", "Reader", "ThresholdsDep", "WriteSession", "Writer"]

Reader = Annotated[Principal, Depends(require("impact:read"))]
Writer = Annotated[Principal, Depends(require("impact:write"))]


def _thresholds(request: Request) -> Thresholds:
    return request.app.state.thresholds  # type: ignore[no-any-return]


ThresholdsDep = Annotated[Thresholds, Depends(_thresholds)]
