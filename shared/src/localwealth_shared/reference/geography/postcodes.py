"""UK postcode validation and normalisation (pure, no data needed).

The letter rules follow Royal Mail's published format: outward code A9, A99, AA9, AA99, A9A or AA9A
and inward code 9AA, with letters restricted by position so that typos such as ``Q1 1AA`` or
``SW1A 1AI`` are rejected rather than stored as if they were real.
"""

from __future__ import annotations

import re
from typing import Final

RULE_EMPTY: Final = "postcode.empty"
RULE_FORMAT: Final = "postcode.format"

# Position-specific letter sets (Royal Mail PAF rules).
_FIRST: Final = "ABCDEFGHIJKLMNOPRSTUWYZ"  # never Q, V, X
_SECOND: Final = "ABCDEFGHKLMNOPQRSTUVWXY"  # never I, J, Z
_THIRD_A9A: Final = "ABCDEFGHJKPSTUW"  # letter ending an A9A outward code (W1A, N1C)
_FOURTH_AA9A: Final = "ABEHMNPRVWXY"  # letter ending an AA9A outward code (SW1A, EC1R)
_INWARD: Final = "ABDEFGHJLNPQRSTUWXYZ"  # never C, I, K, M, O, V

_OUTWARD_PATTERN: Final = (
    f"[{_FIRST}][0-9][0-9]?"  # A9, A99
    f"|[{_FIRST}][{_SECOND}][0-9][0-9]?"  # AA9, AA99
    f"|[{_FIRST}][0-9][{_THIRD_A9A}]"  # A9A
    f"|[{_FIRST}][{_SECOND}][0-9][{_FOURTH_AA9A}]"  # AA9A
)
_POSTCODE_RE: Final = re.compile(f"(?P<outward>{_OUTWARD_PATTERN})(?P<inward>[0-9][{_INWARD}]{{2}})")
# Girobank's historic code breaks every rule but is still a live postcode.
_GIROBANK: Final = "GIR0AA"
# British Forces Post Office numbers ("BFPO 123"); only accepted when a caller asks for them.
_BFPO_RE: Final = re.compile(r"BFPO(?P<number>[0-9]{1,4})")


class PostcodeError(ValueError):
    """A postcode that cannot be used; ``rule`` is a stable code for API problem responses."""

    def __init__(self, message: str, *, rule: str, value: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.value = value


def _compact(raw: str) -> str:
    """Upper-case and drop all whitespace, including tabs and non-breaking spaces from spreadsheets."""
    return "".join(raw.split()).upper()


def normalise_postcode(raw: str, *, allow_bfpo: bool = False) -> str:
    """Return the canonical form of a UK postcode: ``" sw1a1aa "`` -> ``"SW1A 1AA"``.

    Raises :class:`PostcodeError` (rule ``postcode.empty`` or ``postcode.format``) when the input is not
    a well-formed UK postcode. ``allow_bfpo`` also accepts forces addresses, returned as ``"BFPO 123"``.
    Well-formed does not mean it exists: use the gazetteer for that.
    """
    compact = _compact(raw)
    if not compact:
        raise PostcodeError("A postcode is required but the value is empty.", rule=RULE_EMPTY, value=raw)
    if compact == _GIROBANK:
        return "GIR 0AA"
    match = _POSTCODE_RE.fullmatch(compact)
    if match is not None:
        return f"{match['outward']} {match['inward']}"
    if allow_bfpo and (bfpo := _BFPO_RE.fullmatch(compact)) is not None:
        return f"BFPO {int(bfpo['number'])}"
    raise PostcodeError(
        f"{raw.strip()!r} is not a valid UK postcode: expected an outward code such as 'OX1' or 'SW1A' "
        "followed by an inward code of a digit and two letters, such as '1BX'.",
        rule=RULE_FORMAT,
        value=raw,
    )


def is_valid_postcode(raw: str) -> bool:
    """True when ``raw`` normalises to a well-formed UK postcode (BFPO numbers excluded)."""
    try:
        normalise_postcode(raw)
    except PostcodeError:
        return False
    return True


def _split(postcode: str) -> tuple[str, str]:
    normalised = normalise_postcode(postcode)
    outward, inward = normalised.split(" ")
    return outward, inward


def postcode_outcode(postcode: str) -> str:
    """The outward code (postcode district): ``"OX1 1BX"`` -> ``"OX1"``."""
    return _split(postcode)[0]


def postcode_sector(postcode: str) -> str:
    """The postcode sector, outward code plus the inward digit: ``"OX1 1BX"`` -> ``"OX1 1"``."""
    outward, inward = _split(postcode)
    return f"{outward} {inward[0]}"
