"""Access to the bundled ONS geography CSV files (``reference/data/geography``)."""

from __future__ import annotations

from localwealth_shared.reference.files import read_csv


def read_bundled_csv(file_name: str) -> list[dict[str, str]]:
    """All rows of a bundled CSV file as dicts keyed by its header."""
    return read_csv("geography", file_name)
