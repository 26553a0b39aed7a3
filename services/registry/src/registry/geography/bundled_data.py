"""Access to the CSV files bundled in ``registry.reference_data.geography`` (works from a wheel too)."""

from __future__ import annotations

import csv
from importlib import resources
from typing import Final

DATA_PACKAGE: Final = "registry.reference_data.geography"


def read_bundled_csv(file_name: str) -> list[dict[str, str]]:
    """All rows of a bundled CSV file as dicts keyed by its header."""
    text = resources.files(DATA_PACKAGE).joinpath(file_name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))
