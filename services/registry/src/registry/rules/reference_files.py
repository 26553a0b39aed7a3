"""Read the registry's bundled reference files (``registry.reference_data``), also from an installed wheel."""

from __future__ import annotations

import csv
import io
import json
from importlib.resources import files
from typing import Any

_PACKAGE = "registry.reference_data"


def read_text(folder: str, name: str) -> str:
    return files(_PACKAGE).joinpath(folder, name).read_text(encoding="utf-8")


def read_json(folder: str, name: str) -> Any:
    return json.loads(read_text(folder, name))


def read_csv(folder: str, name: str) -> list[dict[str, str]]:
    """Rows of a CSV with a header; lines starting with ``#`` are comments in our hand-written tables."""
    lines = [line for line in read_text(folder, name).splitlines() if not line.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))
