"""UK SIC 2007 and CPV 2008 codes: validation, normalisation, the CPV hierarchy and picker searches.

The code lists are bundled CSVs (``data/sic``, ``data/cpv``), loaded once on first use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Final

from localwealth_shared.reference.files import read_csv

RULE_SIC_FORMAT: Final = "sic.format"
RULE_SIC_UNKNOWN: Final = "sic.unknown"
RULE_CPV_FORMAT: Final = "cpv.format"
RULE_CPV_UNKNOWN: Final = "cpv.unknown"

# CPV level lengths (SPEC §5.2) → names; the bundled list calls full codes below a category "subcategory".
CPV_LEVEL_NAMES: Final[Mapping[int, str]] = MappingProxyType(
    {2: "division", 3: "group", 4: "class", 5: "category", 8: "subcategory"}
)
CPV_LEVEL_LENGTHS: Final[tuple[int, ...]] = tuple(CPV_LEVEL_NAMES)
_CPV_CODE: Final = re.compile(r"(?P<code>[0-9]{8})(?:-(?P<check>[0-9]))?")
# Companies House writes "46341 - Wholesale of fruit ..."; ONS writes "47.11/0". Both reduce to digits.
_SIC_WITH_TEXT: Final = re.compile(r"(?P<code>[0-9][0-9./]*)\s*(?:-\s*.*)?", re.DOTALL)


class ClassificationError(ValueError):
    """A SIC or CPV code the registry cannot accept; ``rule`` is a stable code for API problem responses."""

    def __init__(self, message: str, *, rule: str, value: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.rule = rule
        self.value = value


@dataclass(frozen=True)
class CodeEntry:
    code: str
    description: str
    level: str
    parent: str | None
    # Lower-case words with a leading space each, so " word" in search_text is a word-prefix test.
    search_text: str

    def as_result(self) -> dict[str, str | None]:
        return {
            "code": self.code,
            "description": self.description,
            "level": self.level,
            "parent": self.parent,
        }


def _search_text(description: str) -> str:
    return " " + " ".join(re.findall(r"[0-9a-z]+", description.casefold()))


@dataclass(frozen=True)
class _CodeList:
    entries: tuple[CodeEntry, ...]
    by_code: Mapping[str, CodeEntry]


def _code_list(rows: list[dict[str, str]], *, title: str, parent: str) -> _CodeList:
    entries = tuple(
        CodeEntry(
            code=row["code"],
            description=row[title],
            level=row["level"],
            parent=row[parent] or None,
            search_text=_search_text(row[title]),
        )
        for row in rows
    )
    return _CodeList(entries=entries, by_code=MappingProxyType({entry.code: entry for entry in entries}))


@cache
def _sic2007() -> _CodeList:
    return _code_list(read_csv("sic", "uk_sic2007.csv"), title="title", parent="parent")


@cache
def _sic2003_legacy() -> Mapping[str, str]:
    return MappingProxyType(
        {row["code"]: row["title"] for row in read_csv("sic", "sic2003_legacy_codes_companies_house.csv")}
    )


@cache
def _cpv() -> _CodeList:
    return _code_list(read_csv("cpv", "cpv_2008_en.csv"), title="description", parent="parent_code")


# --- SIC ---


def normalise_sic(code: str) -> tuple[str, bool]:
    """Validate a SIC code; returns ``(code, legacy)``.

    - 5 digits: must be a UK SIC 2007 subclass (incl. Companies House's 74990, 98000, 99999)
      → ``(code, False)``.
    - 4 digits (legacy): accepted and flagged → ``(..., True)``. A code that is a known SIC 2003 code (as
      still found in Companies House data) is kept as it is: many SIC 2003 numbers are also SIC 2007 class
      numbers with a different meaning (2651 cement vs measuring instruments), so converting them would
      misclassify. A SIC 2007 class whose only subclass is ``<class>0`` becomes that subclass
      (``4711`` → ``47110``); any other SIC 2007 class is kept as the 4-digit class.
    - Companies House "46341 - Wholesale of ..." and ONS "47.11/0" spellings are accepted.
    Raises ``ClassificationError`` with rule ``sic.format`` (not 4/5 digits) or ``sic.unknown``.
    """
    text = (code or "").strip()
    match = _SIC_WITH_TEXT.fullmatch(text)
    digits = re.sub(r"[./]", "", match["code"]) if match else ""
    if not digits.isdigit() or len(digits) not in (4, 5):
        raise ClassificationError(
            f"SIC codes are 5 digits (UK SIC 2007, e.g. 47110) or legacy 4-digit codes; got {code!r}",
            rule=RULE_SIC_FORMAT,
            value=code,
        )
    sic = _sic2007().by_code
    if len(digits) == 5:
        entry = sic.get(digits)
        if entry is None or entry.level != "subclass":
            raise ClassificationError(f"{digits} is not a UK SIC 2007 code", rule=RULE_SIC_UNKNOWN, value=code)
        return digits, False
    if digits in _sic2003_legacy():
        return digits, True
    entry = sic.get(digits)
    if entry is not None and entry.level == "class":
        subclasses = [child.code for child in _sic2007().entries if child.parent == digits]
        if subclasses == [f"{digits}0"]:
            return subclasses[0], True
        return digits, True
    raise ClassificationError(
        f"{digits} is neither a UK SIC 2007 class nor a known legacy SIC 2003 code",
        rule=RULE_SIC_UNKNOWN,
        value=code,
    )


def sic_description(code: str) -> str | None:
    """Title of a SIC 2007 code (any level) or known legacy SIC 2003 code; ``None`` if unknown."""
    entry = _sic2007().by_code.get(code)
    return entry.description if entry is not None else _sic2003_legacy().get(code)


# --- CPV ---


def _cpv_digits(code: str) -> str:
    """The 8 CPV digits with any ``-N`` check digit removed (format check only)."""
    match = _CPV_CODE.fullmatch((code or "").strip())
    if match is None:
        raise ClassificationError(
            f"CPV codes are 8 digits with an optional check digit (e.g. 85310000 or 85310000-5); got {code!r}",
            rule=RULE_CPV_FORMAT,
            value=code,
        )
    return match["code"]


def normalise_cpv(code: str) -> str:
    """Validate a CPV 2008 code and return its 8 digits (``85310000-5`` → ``85310000``).

    The check digit is stripped, not verified: the bundled list carries no check digits to compare with.
    Raises ``ClassificationError`` with rule ``cpv.format`` or ``cpv.unknown``.
    """
    digits = _cpv_digits(code)
    if digits not in _cpv().by_code:
        raise ClassificationError(f"{digits} is not a CPV 2008 code", rule=RULE_CPV_UNKNOWN, value=code)
    return digits


def cpv_description(code: str) -> str | None:
    entry = _cpv().by_code.get(code)
    return entry.description if entry is not None else None


def _cpv_hierarchy_digits(code: str) -> str:
    """Digits up to the last non-zero one (at least 2): the code's exact place in the tree."""
    digits = _cpv_digits(code)
    stripped = digits.rstrip("0")
    return stripped if len(stripped) >= 2 else digits[:2]


def _snap_to_level(length: int) -> int:
    """The deepest CPV level (2, 3, 4, 5 or 8 digits) not longer than ``length``; 0 below a division."""
    return max((level for level in CPV_LEVEL_LENGTHS if level <= length), default=0)


def cpv_significant_prefix(code: str) -> str:
    """The hierarchical prefix of a CPV code at the SPEC's levels (division 2, group 3, class 4, category 5,
    full 8).

    Trailing zeros are dropped down to the level they leave, never below the 2 division digits; a code with
    a non-zero digit beyond the category (6th-8th digit) is significant in full.
    ``85000000`` → ``85``, ``85300000`` → ``853``, ``85310000`` → ``8531``, ``45233120`` → ``45233120``.
    """
    digits = _cpv_digits(code)
    length = len(_cpv_hierarchy_digits(code))
    return digits[: length if length <= 5 else 8]


def cpv_level(code: str) -> str:
    """Level of a CPV code: ``division``, ``group``, ``class``, ``category`` or ``subcategory`` (full 8)."""
    return CPV_LEVEL_NAMES[len(cpv_significant_prefix(code))]


def cpv_match_depth(supplier_code: str, tender_code: str) -> int:
    """How deeply two CPV codes agree, as a SPEC level length: 0, 2, 3, 4, 5 or 8 (``CPV_LEVEL_NAMES``).

    The length of the common part of the two codes' hierarchical digits, rounded down to a level; 0 when
    the divisions differ. It is the depth of the deepest shared ancestor, so it is symmetric: a supplier
    registered for ``85000000`` (a division) and a tender for ``85311000`` match at 2; ``85312000`` and
    ``85311000`` (siblings) at 4, the class ``8531``; identical codes at their own level. Callers that need
    "the supplier's code covers the tender's code" use ``cpv_is_within``.
    """
    supplier = _cpv_hierarchy_digits(supplier_code)
    tender = _cpv_hierarchy_digits(tender_code)
    common = 0
    for supplier_digit, tender_digit in zip(supplier, tender, strict=False):
        if supplier_digit != tender_digit:
            break
        common += 1
    if supplier == tender:
        return len(cpv_significant_prefix(supplier_code))
    return _snap_to_level(common)


def cpv_is_within(code: str, ancestor: str) -> bool:
    """Whether ``code`` is ``ancestor`` or below it in the tree (``85311000`` is within ``85000000``).

    This is the ``cpv=`` search filter: a division matches all its codes.
    """
    return _cpv_hierarchy_digits(code).startswith(_cpv_hierarchy_digits(ancestor))


# --- picker searches ---


def _search(codes: _CodeList, q: str, limit: int) -> list[dict[str, str | None]]:
    if limit <= 0:
        return []
    query = (q or "").strip()
    if not query:
        return []
    compact = re.sub(r"[\s./-]", "", query)
    if compact.isdigit():
        # A code typed with its check digit ("85310000-5") searches for the code itself.
        prefix = compact[:8] if len(compact) == 9 and "-" in query else compact
        matches = [entry for entry in codes.entries if entry.code.startswith(prefix)]
    else:
        words = re.findall(r"[0-9a-z]+", query.casefold())
        starts = [f" {word}" for word in words]
        phrase = " " + " ".join(words)
        matches = [entry for entry in codes.entries if all(start in entry.search_text for start in starts)]
        # Descriptions holding the words as typed, in order, come first; the stable sort keeps code order.
        matches.sort(key=lambda entry: phrase not in entry.search_text)
    return [entry.as_result() for entry in matches[:limit]]


def search_cpv(q: str, limit: int = 20) -> list[dict[str, str | None]]:
    """CPV picker: digits match code prefixes (``853`` → 853xxxxx), words match description word starts.

    All query words must match (``"social work"``); descriptions with the words as one phrase rank first, then
    code order (broader codes before narrower); each result is ``{code, description, level, parent}``.
    """
    return _search(_cpv(), q, limit)


def search_sic(q: str, limit: int = 20) -> list[dict[str, str | None]]:
    """SIC 2007 picker, same rules as ``search_cpv``; results include every level, sections to subclasses."""
    return _search(_sic2007(), q, limit)
