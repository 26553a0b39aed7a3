"""Compile OCDS releases that share an ocid into one compiled release (OCDS 1.1 merge rules, simplified to
the cases releases actually use): releases are applied in date order; objects merge field by field; an
array of objects that all carry an `id` merges by id; any other value, including other arrays, replaces the
earlier one; a JSON null removes the field."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def _identified(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) and "id" in v for v in value)


def _merge(into: dict[str, Any], new: dict[str, Any]) -> None:
    for key, value in new.items():
        if value is None:
            into.pop(key, None)
        elif isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        elif _identified(value) and _identified(into.get(key)):
            by_id = {str(item["id"]): item for item in into[key]}
            for item in value:
                existing = by_id.get(str(item["id"]))
                if existing is None:
                    into[key].append(_copy(item))
                else:
                    _merge(existing, item)
        else:
            into[key] = _copy(value)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def compile_releases(releases: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The compiled release: the latest value of each field, `tag: ["compiled"]`, the latest date and id."""
    ordered = sorted(releases, key=lambda r: (str(r.get("date") or ""), str(r.get("id") or "")))
    compiled: dict[str, Any] = {}
    for release in ordered:
        _merge(compiled, {k: v for k, v in release.items() if k != "tag"})
    compiled["tag"] = ["compiled"]
    return compiled
