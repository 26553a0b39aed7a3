"""Legal forms and ownership overlays (SPEC §4.1), and the mapping of messy source strings onto them.

The mapping tables are data (``data/legal_forms/*.csv``) so importers gain a new wording by adding a
row, not a branch. Strings are normalised (case, punctuation, "&", "Ltd", "co-operative") before lookup.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from functools import cache
from types import MappingProxyType
from typing import Final

from localwealth_shared.reference.files import read_csv


class LegalForm(StrEnum):
    COMPANY_LIMITED_BY_GUARANTEE = "company_limited_by_guarantee"
    COMPANY_LIMITED_BY_SHARES = "company_limited_by_shares"
    PLC = "plc"
    COMMUNITY_INTEREST_COMPANY = "community_interest_company"
    CHARITABLE_INCORPORATED_ORGANISATION = "charitable_incorporated_organisation"
    SCOTTISH_CIO = "scottish_cio"
    REGISTERED_SOCIETY_COOPERATIVE = "registered_society_cooperative"
    REGISTERED_SOCIETY_COMMUNITY_BENEFIT = "registered_society_community_benefit"
    CREDIT_UNION = "credit_union"
    CHARITY_TRUST = "charity_trust"
    UNINCORPORATED_ASSOCIATION = "unincorporated_association"
    PARISH_COUNCIL = "parish_council"
    LLP = "llp"
    PARTNERSHIP = "partnership"
    SOLE_TRADER = "sole_trader"
    OTHER = "other"


class Ownership(StrEnum):
    """Ownership overlays: any number may apply on top of the legal form."""

    WORKER_COOPERATIVE = "worker_cooperative"
    CONSUMER_COOPERATIVE = "consumer_cooperative"
    MULTI_STAKEHOLDER = "multi_stakeholder"
    COMMUNITY_OWNED = "community_owned"
    EMPLOYEE_OWNED_TRUST = "employee_owned_trust"
    COMMUNITY_LAND_TRUST = "community_land_trust"
    TENANT_OWNED = "tenant_owned"


# Whole-word rewrites applied after punctuation is removed, so spelling variants share one table row.
_WORD_REWRITES: Final = (
    (re.compile(r"\bltd\b"), "limited"),
    (re.compile(r"\bco operative\b"), "cooperative"),
    (re.compile(r"\bco op\b"), "coop"),
    (re.compile(r"\borganization\b"), "organisation"),
)
_PARENTHESISED: Final = re.compile(r"\(([^()]*)\)")


def normalise_wording(raw: str) -> str:
    """Case-fold, spell out "&", drop punctuation, collapse spaces.

    ``"PRI/LTD BY GUAR"`` → ``"pri limited by guar"``; ``"Co-operative"`` → ``"cooperative"``."""
    # Dots and apostrophes join letters ("C.I.C.", "'Limited'"); every other symbol separates words.
    text = re.sub(r"[.'\u2019]", "", raw.casefold()).replace("&", " and ")
    text = re.sub(r"[^0-9a-z]+", " ", text).strip()
    for pattern, replacement in _WORD_REWRITES:
        text = pattern.sub(replacement, text)
    return text


def _alias_table(file_name: str, column: str) -> dict[str, str]:
    """Normalised alias → target value ("" = known wording, no target); conflicting duplicates are a bug."""
    table: dict[str, str] = {}
    for row in read_csv("legal_forms", file_name, package="registry"):
        key = normalise_wording(row["alias"])
        target = row[column].strip()
        if table.get(key, target) != target:
            raise ValueError(f"{file_name}: alias {row['alias']!r} maps to both {table[key]!r} and {target!r}")
        table[key] = target
    return table


@cache
def legal_form_aliases() -> Mapping[str, LegalForm]:
    table = {normalise_wording(form.value): form for form in LegalForm}
    for key, target in _alias_table("legal_form_aliases.csv", "legal_form").items():
        table[key] = LegalForm(target)
    return MappingProxyType(table)


@cache
def ownership_aliases() -> Mapping[str, Ownership | None]:
    table: dict[str, Ownership | None] = {normalise_wording(overlay.value): overlay for overlay in Ownership}
    for key, target in _alias_table("ownership_aliases.csv", "ownership").items():
        table[key] = Ownership(target) if target else None
    return MappingProxyType(table)


@cache
def company_number_prefix_hints() -> Mapping[str, LegalForm]:
    """Companies House number prefix → the legal form it implies (only prefixes that imply one)."""
    return MappingProxyType(
        {
            row["prefix"]: LegalForm(row["legal_form_hint"])
            for row in read_csv("companies_house", "number_prefixes.csv")
            if row["legal_form_hint"]
        }
    )


def _lookup_wording(raw: str, table: Mapping[str, object]) -> str | None:
    """The table key ``raw`` matches: the whole string, then without "(...)", then each bracketed part."""
    whole = normalise_wording(raw)
    candidates = [whole, normalise_wording(_PARENTHESISED.sub(" ", raw))]
    candidates += [normalise_wording(inner) for inner in _PARENTHESISED.findall(raw)]
    for candidate in candidates:
        if candidate and candidate in table:
            return candidate
    return None


def legal_form_from_company_number(company_number: str | None) -> LegalForm | None:
    """The legal form a Companies House number's prefix implies (``OC301234`` → LLP), if any."""
    prefix = "".join((company_number or "").split()).upper()[:2]
    if len(prefix) < 2 or prefix.isdigit():
        return None
    return company_number_prefix_hints().get(prefix)


def map_legal_form(raw: str | None, *, company_number: str | None = None) -> LegalForm | None:
    """Map a source's legal-form wording to a ``LegalForm``; ``None`` when nothing is known.

    The wording wins when it names a specific form; when it is missing, unrecognised or only says ``other``
    (e.g. Co-operatives UK's bare "Company"), the Companies House number prefix decides if it implies a form
    (``IP``/``SP``/``RS`` registered society, ``OC`` LLP, ``CE`` CIO, ``CS`` Scottish CIO, ...).
    """
    mapped: LegalForm | None = None
    if raw is not None and raw.strip():
        key = _lookup_wording(raw, legal_form_aliases())
        mapped = legal_form_aliases()[key] if key is not None else None
    if mapped is None or mapped is LegalForm.OTHER:
        return legal_form_from_company_number(company_number) or mapped
    return mapped


def map_ownership(raw: str | None) -> Ownership | None:
    """Map ownership wording (e.g. Co-operatives UK "Workers", "Employee Trust") to an overlay, or ``None``.

    ``None`` also covers known wordings with no SPEC overlay ("Enterprises", "Self-employed",
    "Co-operatives").
    """
    if raw is None or not raw.strip():
        return None
    key = _lookup_wording(raw, ownership_aliases())
    return ownership_aliases()[key] if key is not None else None


def is_known_ownership_wording(raw: str) -> bool:
    """Whether the ownership table knows ``raw``, including wordings deliberately mapped to no overlay."""
    return _lookup_wording(raw, ownership_aliases()) is not None
