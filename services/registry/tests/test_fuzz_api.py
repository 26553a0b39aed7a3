"""Schemathesis over the registry's OpenAPI: no input may produce a 5xx or an undeclared response."""

from __future__ import annotations

import pytest
from localwealth_shared.testing.fuzz import fuzz_failures

from .conftest import token


@pytest.mark.slow
def test_registry_api_never_fails_on_any_input(registry_app) -> None:  # type: ignore[no-untyped-def]
    failures = fuzz_failures(registry_app, {"Authorization": f"Bearer {token()}"})
    assert not failures, "\n\n".join(failures)
