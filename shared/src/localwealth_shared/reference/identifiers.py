"""Organisation identifiers in org-id.guide form (``GB-COH-03416658``): schemes, normalisation, canonical.

Every scheme in the org-id.guide register is accepted; the UK schemes the registry sees most often also get a
format rule, so that the same organisation always ends up with the same identifier string (the registry
enforces one organisation per identifier, which only works if ``3416658`` and ``03416658`` are one value).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from localwealth_shared.reference.files import read_csv, read_json

RULE_EMPTY: Final = "identifier.empty"
RULE_UNKNOWN_SCHEME: Final = "identifier.unknown_scheme"
# Schemes without a specific rule only have their length and characters checked.
RULE_FORMAT: Final = "identifier.format"
RULE_GB_COH_PREFIX: Final = "identifier.gb_coh.prefix"

DEFAULT_CANONICAL_PRIORITY: Final[tuple[str, ...]] = ("GB-COH", "GB-CHC", "GB-SC", "GB-NIC", "GB-MPR")

_MAX_GENERIC_LENGTH: Final = 100


class IdentifierError(ValueError):
    """An identifier the registry cannot accept; ``rule`` is a stable code for API problem responses."""

    def __init__(self, message: str, *, rule: str, scheme: str | None = None, value: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.rule = rule
        self.scheme = scheme
        self.value = value


@dataclass(frozen=True)
class SchemeInfo:
    """One list of the org-id.guide register (trimmed: see data/orgid/SOURCE.txt)."""

    code: str
    name: str
    coverage: tuple[str, ...]
    deprecated: bool
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Identifier:
    scheme: str
    id: str

    @property
    def org_id(self) -> str:
        return f"{self.scheme}-{self.id}"

    def as_dict(self) -> dict[str, str]:
        return {"scheme": self.scheme, "id": self.id}

    def __str__(self) -> str:
        return self.org_id


def _load_schemes() -> Mapping[str, SchemeInfo]:
    document = read_json("orgid", "org_id_schemes.json")
    schemes = {
        entry["code"]: SchemeInfo(
            code=entry["code"],
            name=entry["name"],
            coverage=tuple(entry["coverage"]),
            deprecated=entry["deprecated"],
            examples=tuple(entry["examples"]),
        )
        for entry in document["schemes"]
    }
    return MappingProxyType(schemes)


KNOWN_SCHEMES: Final[Mapping[str, SchemeInfo]] = _load_schemes()
# Scheme codes contain hyphens themselves (GB-COH, XI-LEI), so org-ids are split on the longest matching code.
_MAX_SCHEME_PARTS: Final = max(code.count("-") + 1 for code in KNOWN_SCHEMES)

COMPANY_NUMBER_PREFIXES: Final[frozenset[str]] = frozenset(
    row["prefix"] for row in read_csv("companies_house", "number_prefixes.csv")
)


def _format_error(scheme: str, value: str, message: str) -> IdentifierError:
    rule = f"identifier.{scheme.lower().replace('-', '_')}.format"
    return IdentifierError(f"{message}; got {value!r}", rule=rule, scheme=scheme, value=value)


# --- per-scheme rules: each takes the compact value (no whitespace) and returns the canonical form ---

_GB_COH_MESSAGE: Final = (
    "GB-COH company numbers are 8 characters: 8 digits, or a 2-letter prefix and 6 digits (e.g. 03416658, SC123456)"
)
_PREFIXED_COMPANY_NUMBER: Final = re.compile(r"(?P<prefix>[A-Z][A-Z0-9])(?P<digits>[0-9]{1,6})")


def _normalise_gb_coh(value: str) -> str:
    number = value.upper()
    if number.isdigit():
        # Spreadsheets drop leading zeros, so short numbers are padded; over-padded ones trimmed back to 8.
        significant = number.lstrip("0") or "0"
        if len(significant) > 8:
            raise _format_error("GB-COH", value, _GB_COH_MESSAGE)
        return significant.zfill(8)
    match = _PREFIXED_COMPANY_NUMBER.fullmatch(number)
    if match is None:
        raise _format_error("GB-COH", value, _GB_COH_MESSAGE)
    prefix = match["prefix"]
    if prefix not in COMPANY_NUMBER_PREFIXES:
        raise IdentifierError(
            f"GB-COH company number prefix {prefix!r} is not a Companies House prefix "
            f"(e.g. SC, NI, OC, IP, SP, RS, CE); got {value!r}",
            rule=RULE_GB_COH_PREFIX,
            scheme="GB-COH",
            value=value,
        )
    return prefix + match["digits"].zfill(6)


_GB_CHC: Final = re.compile(r"[0-9]{6,8}")


def _normalise_gb_chc(value: str) -> str:
    if not _GB_CHC.fullmatch(value):
        raise _format_error(
            "GB-CHC",
            value,
            "GB-CHC charity numbers (Charity Commission for England and Wales) are 6 to 8 digits",
        )
    return value


_GB_SC: Final = re.compile(r"(?:SC)?(?P<digits>[0-9]{1,6})")


def _normalise_gb_sc(value: str) -> str:
    # OSCR numbers keep their SC prefix inside the id (GB-SC-SC012345); bare digits get it added.
    match = _GB_SC.fullmatch(value.upper())
    if match is None:
        raise _format_error("GB-SC", value, "GB-SC Scottish charity numbers are SC followed by 6 digits")
    return "SC" + match["digits"].zfill(6)


_GB_NIC: Final = re.compile(r"(?:NIC)?(?P<digits>[0-9]{6})")


def _normalise_gb_nic(value: str) -> str:
    # org-id.guide documents the bare number (GB-NIC-100019); the Commission displays it as NIC100019.
    match = _GB_NIC.fullmatch(value.upper())
    if match is None:
        raise _format_error(
            "GB-NIC",
            value,
            "GB-NIC Northern Ireland charity numbers are 6 digits, optionally written NIC100019",
        )
    return match["digits"]


_GB_MPR: Final = re.compile(r"(?:IP|SP)?[0-9]{1,6}[A-Z]{0,2}")


def _normalise_gb_mpr(value: str) -> str:
    number = value.upper()
    if not _GB_MPR.fullmatch(number):
        raise _format_error(
            "GB-MPR",
            value,
            "GB-MPR Mutuals Public Register numbers are up to 6 digits with an optional letter suffix "
            "(e.g. 12345R, 2512RS, 235C), or an IP/SP number (IP031455)",
        )
    return number


_GB_CASC: Final = re.compile(r"[0-9a-f]{8}")


def _normalise_gb_casc(value: str) -> str:
    # 360Giving's CASC list mints 8-character lower-case hex ids (GB-CASC-df679063).
    casc_id = value.lower()
    if not _GB_CASC.fullmatch(casc_id):
        raise _format_error("GB-CASC", value, "GB-CASC ids are 8 hexadecimal characters (e.g. df679063)")
    return casc_id


def _digits_rule(scheme: str, pattern: str, message: str) -> Callable[[str], str]:
    compiled = re.compile(pattern)

    def normalise(value: str) -> str:
        if not compiled.fullmatch(value):
            raise _format_error(scheme, value, message)
        return value

    return normalise


def _letter_code_rule(scheme: str, register: str) -> Callable[[str], str]:
    example = ", ".join(KNOWN_SCHEMES[scheme].examples[:2]) if scheme in KNOWN_SCHEMES else "ABC"

    def normalise(value: str) -> str:
        code = value.upper()
        if not re.fullmatch(r"[A-Z]{3,4}", code):
            raise _format_error(
                scheme, value, f"{scheme} codes are the 3 or 4 letter {register} codes (e.g. {example})"
            )
        return code

    return normalise


_SCHEME_RULES: Final[Mapping[str, Callable[[str], str]]] = MappingProxyType(
    {
        "GB-COH": _normalise_gb_coh,
        "GB-CHC": _normalise_gb_chc,
        "GB-SC": _normalise_gb_sc,
        "GB-NIC": _normalise_gb_nic,
        "GB-MPR": _normalise_gb_mpr,
        "GB-CASC": _normalise_gb_casc,
        "GB-EDU": _digits_rule("GB-EDU", r"[0-9]{6}", "GB-EDU school URNs are 6 digits (e.g. 125554)"),
        "GB-UKPRN": _digits_rule(
            "GB-UKPRN", r"1[0-9]{7}", "GB-UKPRN learning provider numbers are 8 digits starting with 1"
        ),
        "GB-LAE": _letter_code_rule("GB-LAE", "Local Authorities for England register"),
        "GB-LAS": _letter_code_rule("GB-LAS", "Scottish local authority register"),
        "GB-PLA": _letter_code_rule("GB-PLA", "Welsh principal local authority register"),
        "GB-LANI": _letter_code_rule("GB-LANI", "Northern Ireland local authority register"),
    }
)
SCHEMES_WITH_FORMAT_RULES: Final[frozenset[str]] = frozenset(_SCHEME_RULES)


def _normalise_generic(scheme: str, value: str) -> str:
    # Case is kept: without a documented format we cannot know whether the register is case-sensitive.
    if len(value) > _MAX_GENERIC_LENGTH or not value.isprintable():
        raise IdentifierError(
            f"{scheme} identifiers must be printable and at most {_MAX_GENERIC_LENGTH} characters; got {value!r}",
            rule=RULE_FORMAT,
            scheme=scheme,
            value=value,
        )
    return value


def normalise_scheme(scheme: str) -> str:
    """Upper-case and trim a scheme code, and check it is in the org-id.guide register."""
    code = (scheme or "").strip().upper()
    if not code:
        raise IdentifierError("An identifier needs a scheme (e.g. GB-COH)", rule=RULE_EMPTY, scheme=scheme)
    if code not in KNOWN_SCHEMES:
        raise IdentifierError(
            f"Unknown identifier scheme {code!r}: schemes must be org-id.guide list codes (e.g. GB-COH, GB-CHC)",
            rule=RULE_UNKNOWN_SCHEME,
            scheme=scheme,
        )
    return code


def normalise_identifier(scheme: str, value: str) -> Identifier:
    """Validate and normalise one identifier; raises ``IdentifierError`` naming the rule that failed.

    Whitespace is removed from the value; a value that repeats its scheme (``GB-COH-03416658``) is accepted.
    """
    code = normalise_scheme(scheme)
    compact = "".join((value or "").split())
    if compact.upper().startswith(f"{code}-"):
        compact = compact[len(code) + 1 :]
    if not compact:
        raise IdentifierError(f"{code} identifier is empty", rule=RULE_EMPTY, scheme=code, value=value)
    rule = _SCHEME_RULES.get(code)
    normalised = rule(compact) if rule is not None else _normalise_generic(code, compact)
    return Identifier(scheme=code, id=normalised)


def parse_org_id(text: str) -> Identifier:
    """Split and normalise a combined org-id such as ``GB-COH-03416658`` or ``GB-SC-SC012345``."""
    compact = "".join((text or "").split())
    if not compact:
        raise IdentifierError("An org-id is empty", rule=RULE_EMPTY, value=text)
    parts = compact.split("-")
    # Longest scheme first: a shorter code could be a prefix of a longer one.
    for length in range(min(_MAX_SCHEME_PARTS, len(parts) - 1), 0, -1):
        candidate = "-".join(parts[:length]).upper()
        if candidate in KNOWN_SCHEMES:
            return normalise_identifier(candidate, "-".join(parts[length:]))
    if compact.upper() in KNOWN_SCHEMES:
        raise IdentifierError(f"{compact.upper()} org-id has no identifier after the scheme", rule=RULE_EMPTY)
    raise IdentifierError(
        f"{text!r} does not start with a known org-id.guide scheme (e.g. GB-COH-03416658)",
        rule=RULE_UNKNOWN_SCHEME,
        value=text,
    )


def canonical_identifier(
    identifiers: Iterable[Identifier], priority: Sequence[str] = DEFAULT_CANONICAL_PRIORITY
) -> Identifier | None:
    """The identifier an organisation is best known by: by scheme ``priority``, then scheme code, then id.

    Schemes not in ``priority`` rank after all that are, alphabetically, so the choice never depends on the
    order identifiers were added.
    """
    rank: dict[str, int] = {}
    for position, scheme in enumerate(priority):
        rank.setdefault(scheme.strip().upper(), position)
    unranked = len(rank)
    return min(
        identifiers,
        key=lambda identifier: (rank.get(identifier.scheme, unranked), identifier.scheme, identifier.id),
        default=None,
    )
