"""Schemathesis over the impact service's OpenAPI: no input may produce a 5xx or an undeclared response."""

from __future__ import annotations

import pytest
from localwealth_shared.testing.clients import token
from localwealth_shared.testing.fuzz import fuzz_failures


@pytest.mark.slow
def test_impact_api_never_fails_on_any_input(impact_app) -> None:  # type: ignore[no-untyped-def]
    failures = fuzz_failures(impact_app, {"Authorization": f"Bearer {token(scopes=('impact:read', 'impact:write'))}"})
    assert not failures, "\n\n".join(failures)
