"""Read an uploaded OCDS file: a release package (`{"releases": [...]}`), a JSON array of releases, or JSON
lines where each line is a release or a release package. A release that cannot be read is reported with its
position and the import carries on."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson


class OcdsFileError(ValueError):
    """The file as a whole is not OCDS JSON (nothing in it can be imported)."""


@dataclass(frozen=True)
class ReadRelease:
    position: int  # 1-based, in file order across packages and lines
    release: dict[str, Any] | None
    problem: str | None = None


def _from_document(doc: Any, start: int) -> list[ReadRelease]:
    if isinstance(doc, dict) and isinstance(doc.get("releases"), list):
        items = doc["releases"]
    elif isinstance(doc, dict) and "records" in doc:
        raise OcdsFileError("record packages are not accepted: upload the release package the records came from")
    elif isinstance(doc, list):
        items = doc
    elif isinstance(doc, dict):
        items = [doc]
    else:
        raise OcdsFileError("expected a release package, a release or a list of releases")
    out = []
    for i, item in enumerate(items):
        if isinstance(item, dict):
            out.append(ReadRelease(start + i, item))
        else:
            out.append(ReadRelease(start + i, None, "a release must be a JSON object"))
    return out


def read_releases(content: bytes) -> Iterator[ReadRelease]:
    try:
        doc = orjson.loads(content)
    except orjson.JSONDecodeError:
        doc = None
    if doc is not None:
        yield from _from_document(doc, 1)
        return
    position = 1
    any_line = False
    for line in content.splitlines():
        if not line.strip():
            continue
        any_line = True
        try:
            parsed = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield ReadRelease(position, None, f"not JSON: {exc}")
            position += 1
            continue
        try:
            releases = _from_document(parsed, position)
        except OcdsFileError as exc:  # one bad line spoils only itself
            releases = [ReadRelease(position, None, str(exc))]
        yield from releases
        position += len(releases)
    if not any_line:
        raise OcdsFileError("the file holds no releases")
