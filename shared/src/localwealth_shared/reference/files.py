"""Read files bundled in a package's data folder, also when installed from a wheel."""

from __future__ import annotations

import csv
import io
import json
from importlib.resources import files
from typing import Any

REFERENCE_DATA = "localwealth_shared.reference"


def read_text(folder: str, name: str, package: str = REFERENCE_DATA) -> str:
    return files(package).joinpath("data", folder, name).read_text(encoding="utf-8")


def read_json(folder: str, name: str, package: str = REFERENCE_DATA) -> Any:
    return json.loads(read_text(folder, name, package))


def read_csv(folder: str, name: str, package: str = REFERENCE_DATA) -> list[dict[str, str]]:
    """Rows of a CSV with a header; lines starting with ``#`` are comments in our hand-written tables."""
    lines = [line for line in read_text(folder, name, package).splitlines() if not line.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))
