"""Streaming reader for the full ONS postcode file, for importing exact postcode points.

Expected layout (``uk_postcodes_nspd_lad25.csv.gz``): ``postcode,lad25cd,easting,northing,lat,lon``,
gzip-compressed or plain. Column names are matched loosely so a raw ONS NSPD/ONSPD extract
(``pcds``, ``lad25cd``, ``lat``, ``long``) or a later LAD vintage (``lad26cd``) also works. Data is
OGL v3: "Source: Office for National Statistics licensed under the Open Government Licence v.3.0.
Contains OS data (c) Crown copyright and database right. Contains Royal Mail data (c) Royal Mail
copyright and database right."
"""

from __future__ import annotations

import csv
import gzip
import io
import logging
import math
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Final, NamedTuple, TextIO, TypeAlias

from localwealth_shared.reference.geography.postcodes import PostcodeError, normalise_postcode

logger = logging.getLogger(__name__)

# (postcode, lad_code, lat, lon); lat/lon are both None when the directory has no grid reference.
OnsPostcodeRow: TypeAlias = tuple[str, str | None, float | None, float | None]

_GZIP_MAGIC: Final = b"\x1f\x8b"
# ONS pseudo-codes for places outside any UK local authority: Channel Islands and Isle of Man.
_PSEUDO_LAD_CODES: Final = frozenset({"L99999999", "M99999999"})
_POSTCODE_COLUMNS: Final = ("postcode", "pcds", "pcd", "pcd7", "pcd8")
_LAD_COLUMN_RE: Final = re.compile(r"lad_code|lad\d{2}cd|oslaua")
_LAT_COLUMNS: Final = ("lat", "latitude")
_LON_COLUMNS: Final = ("lon", "long", "longitude")


class _ColumnPositions(NamedTuple):
    postcode: int
    lad_code: int
    lat: int
    lon: int


def _open_text(path: Path) -> TextIO:
    """Open gzip or plain CSV by content (not by file name), as UTF-8 text for the csv module."""
    with path.open("rb") as probe:
        is_gzip = probe.read(2) == _GZIP_MAGIC
    if is_gzip:
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return path.open("r", encoding="utf-8-sig", newline="")


def _find_columns(header: Sequence[str], path: Path) -> _ColumnPositions:
    names = [name.strip().lower() for name in header]

    def position(candidates: Sequence[str], label: str) -> int:
        for candidate in candidates:
            if candidate in names:
                return names.index(candidate)
        raise ValueError(f"{path}: no {label} column (looked for {', '.join(candidates)}; found {header})")

    lad_positions = [index for index, name in enumerate(names) if _LAD_COLUMN_RE.fullmatch(name)]
    if not lad_positions:
        raise ValueError(f"{path}: no local authority column such as 'lad25cd' (found {header})")
    return _ColumnPositions(
        postcode=position(_POSTCODE_COLUMNS, "postcode"),
        lad_code=lad_positions[0],
        lat=position(_LAT_COLUMNS, "latitude"),
        lon=position(_LON_COLUMNS, "longitude"),
    )


def _coordinate(text: str, limit: float) -> float | None:
    """Parse a coordinate; blanks, junk and out-of-range sentinels (ONS uses lat 99.999999) become None."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and abs(value) <= limit else None


def iter_ons_postcodes(path: str | os.PathLike[str], *, strict: bool = False) -> Iterator[OnsPostcodeRow]:
    """Yield ``(postcode, lad_code, lat, lon)`` for every usable row, postcodes normalised.

    Rows without coordinates are still yielded (lat and lon None) so the postcode is known to exist.
    Pseudo local-authority codes (Channel Islands, Isle of Man) and blanks give ``lad_code`` None.
    Rows whose postcode is malformed or in a retired format (e.g. ``NPT 0AD``, ``W1M 0AA``, about 7,000
    terminated codes in the 2025 file) are skipped and counted in a log message, or raise
    :class:`PostcodeError` naming the line when ``strict`` is true.
    """
    source = Path(path)
    with _open_text(source) as handle:
        rows = csv.reader(handle)
        header = next(rows, None)
        if header is None:
            return
        columns = _find_columns(header, source)
        widest = max(columns)
        skipped = 0
        for line_number, row in enumerate(rows, start=2):
            if not row:
                continue
            try:
                if len(row) <= widest:
                    raise PostcodeError(
                        f"row has {len(row)} fields, expected at least {widest + 1}",
                        rule="postcode.format",
                        value=",".join(row),
                    )
                postcode = normalise_postcode(row[columns.postcode])
            except PostcodeError as error:
                if strict:
                    raise PostcodeError(
                        f"{source}, line {line_number}: {error}", rule=error.rule, value=error.value
                    ) from error
                skipped += 1
                continue
            lad_code = row[columns.lad_code].strip().upper() or None
            if lad_code in _PSEUDO_LAD_CODES:
                lad_code = None
            lat = _coordinate(row[columns.lat], 90.0)
            lon = _coordinate(row[columns.lon], 180.0)
            if lat is None or lon is None:
                lat = lon = None
            yield postcode, lad_code, lat, lon
        if skipped:
            logger.info("%s: skipped %d rows with malformed or retired-format postcodes", source, skipped)
