"""Validate event payloads against the committed JSON Schemas in `contracts/events/`.

The folder is found via LOCALWEALTH_CONTRACTS_DIR (set in images) or relative to this checkout.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource


def contracts_dir() -> Path:
    configured = os.environ.get("LOCALWEALTH_CONTRACTS_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3] / "contracts"


@lru_cache(maxsize=1)
def _registry() -> tuple[Registry, dict[str, dict[str, Any]]]:
    schemas: dict[str, dict[str, Any]] = {}
    resources = []
    for path in sorted((contracts_dir() / "events").glob("*.json")):
        document = json.loads(path.read_text())
        schemas[path.stem] = document
        resources.append((document.get("$id", path.name), Resource.from_contents(document)))
    return Registry().with_resources(resources), schemas


def event_validator(event_type: str) -> Draft202012Validator:
    registry, schemas = _registry()
    if event_type not in schemas:
        raise KeyError(f"no JSON Schema committed for event type {event_type}")
    return Draft202012Validator(schemas[event_type], registry=registry)


def validation_errors(event_type: str, payload: Any) -> list[str]:
    return [
        f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
        for e in event_validator(event_type).iter_errors(payload)
    ]
