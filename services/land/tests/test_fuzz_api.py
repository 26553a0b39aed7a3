"""Schemathesis over the land service's OpenAPI: no input may produce a 5xx or an undeclared response."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from localwealth_shared.testing.clients import OXFORD, token


@pytest.mark.slow
def test_land_api_never_fails_on_any_input(land_app: FastAPI) -> None:
    from localwealth_shared.testing.fuzz import fuzz_failures

    failures = fuzz_failures(land_app, {"Authorization": f"Bearer {token(OXFORD, ('land:read', 'land:write'))}"})
    assert not failures, "\n\n".join(failures)
