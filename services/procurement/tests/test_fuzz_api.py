"""Schemathesis over the procurement service's OpenAPI: no input may produce a 5xx or an undeclared response."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from localwealth_shared.testing.clients import OXFORD, token


@pytest.mark.slow
def test_procurement_api_never_fails_on_any_input(procurement_app: FastAPI) -> None:
    from localwealth_shared.testing.fuzz import fuzz_failures

    scopes = ("procurement:read", "procurement:write")
    failures = fuzz_failures(procurement_app, {"Authorization": f"Bearer {token(OXFORD, scopes)}"})
    assert not failures, "\n\n".join(failures)
