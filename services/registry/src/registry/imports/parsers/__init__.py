"""File parsers for registry bulk imports, one module per format, all with the same contract:

``parse(data: bytes) -> Iterator[ParsedRow]`` and ``count_rows(data: bytes) -> int`` (see ``common``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from registry.imports.parsers import coops_uk, generic_csv, hsds_json
from registry.imports.parsers.common import FieldValueError, ImportFormatError, ParsedRow, RowError


class Parser(Protocol):
    FORMAT: str

    def parse(self, data: bytes) -> Iterator[ParsedRow]: ...

    def count_rows(self, data: bytes) -> int: ...


PARSERS: dict[str, Parser] = {
    coops_uk.FORMAT: coops_uk,
    generic_csv.FORMAT: generic_csv,
    hsds_json.FORMAT: hsds_json,
}


def get_parser(import_format: str) -> Parser:
    """The parser for a format name ("coops-uk", "csv", "hsds-json"); KeyError for an unknown one."""
    return PARSERS[import_format]


__all__ = ["PARSERS", "FieldValueError", "ImportFormatError", "ParsedRow", "Parser", "RowError", "get_parser"]
