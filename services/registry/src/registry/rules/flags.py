"""Derived organisation flags (SPEC §4.1): ``is_vcse``, ``is_sme``, ``is_social_economy``.

All thresholds and form lists live in ``FlagRules`` so a deployment can override them from a JSON file;
``derive_flags`` is the only place the flags are computed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from registry.rules.certifications import CertificationScheme, is_current
from registry.rules.legal_forms import LegalForm, Ownership


@dataclass(frozen=True)
class FlagRules:
    """Per-deployment flag configuration. Defaults follow the SPEC.

    - SME: fewer than ``sme_max_employees`` employees and turnover ≤ ``sme_max_turnover`` (pounds), each
      checked only when known.
    - VCSE: a legal form in ``vcse_legal_forms`` or a current certification in ``vcse_certifications``.
    - Social economy: VCSE, or a legal form in ``social_economy_legal_forms``, or any ownership overlay in
      ``social_economy_ownership``.
    """

    sme_max_employees: int = 250
    sme_max_turnover: Decimal = Decimal("44000000")
    vcse_legal_forms: frozenset[LegalForm] = frozenset(
        {
            # Charities in every form, CICs, community benefit societies, guarantee companies, unincorporated
            # associations (SPEC). Parish councils are public bodies; credit unions and co-operative
            # societies are mutuals rather than VCSE and count as social economy instead.
            LegalForm.CHARITY_TRUST,
            LegalForm.CHARITABLE_INCORPORATED_ORGANISATION,
            LegalForm.SCOTTISH_CIO,
            LegalForm.COMMUNITY_INTEREST_COMPANY,
            LegalForm.REGISTERED_SOCIETY_COMMUNITY_BENEFIT,
            LegalForm.COMPANY_LIMITED_BY_GUARANTEE,
            LegalForm.UNINCORPORATED_ASSOCIATION,
        }
    )
    vcse_certifications: tuple[str, ...] = (CertificationScheme.SOCIAL_ENTERPRISE_MARK.value,)
    social_economy_legal_forms: frozenset[LegalForm] = frozenset(
        {
            LegalForm.REGISTERED_SOCIETY_COOPERATIVE,
            LegalForm.REGISTERED_SOCIETY_COMMUNITY_BENEFIT,
            LegalForm.CREDIT_UNION,
        }
    )
    social_economy_ownership: frozenset[Ownership] = frozenset(Ownership)

    @classmethod
    def from_mapping(cls, overrides: Mapping[str, Any]) -> FlagRules:
        """Defaults with ``overrides`` applied; unknown keys and unknown enum values raise ``ValueError``."""
        known = {field.name for field in fields(cls)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(f"Unknown flag rule settings: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        values: dict[str, Any] = {}
        for name, value in overrides.items():
            if name == "sme_max_employees":
                values[name] = int(value)
            elif name == "sme_max_turnover":
                values[name] = Decimal(str(value))
            elif name == "vcse_certifications":
                values[name] = tuple(str(scheme) for scheme in value)
            elif name == "social_economy_ownership":
                values[name] = frozenset(Ownership(item) for item in value)
            else:
                values[name] = frozenset(LegalForm(item) for item in value)
        return cls(**values)

    @classmethod
    def from_json(cls, path: str | Path) -> FlagRules:
        """Rules from a JSON object with any subset of the field names (``{"sme_max_employees": 50}``)."""
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(document, dict):
            raise ValueError(f"{path}: flag rules must be a JSON object")
        return cls.from_mapping(document)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready view (sorted lists, turnover as a string) to document the active rules in the API."""
        return {
            "sme_max_employees": self.sme_max_employees,
            "sme_max_turnover": str(self.sme_max_turnover),
            "vcse_legal_forms": sorted(self.vcse_legal_forms),
            "vcse_certifications": list(self.vcse_certifications),
            "social_economy_legal_forms": sorted(self.social_economy_legal_forms),
            "social_economy_ownership": sorted(self.social_economy_ownership),
        }


DEFAULT_FLAG_RULES: Final = FlagRules()


@dataclass(frozen=True)
class Flags:
    is_vcse: bool
    is_sme: bool
    is_social_economy: bool

    def as_dict(self) -> dict[str, bool]:
        return asdict(self)


def _certification_field(certification: Any, name: str) -> Any:
    if isinstance(certification, Mapping):
        return certification.get(name)
    return getattr(certification, name, None)


def _holds_current(certifications: Iterable[Any], schemes: Iterable[str], today: date) -> bool:
    wanted = {str(scheme) for scheme in schemes}
    return any(
        str(_certification_field(cert, "scheme")) in wanted
        and is_current(_certification_field(cert, "status"), _certification_field(cert, "expires_on"), today)
        for cert in certifications
    )


def is_sme(employees: int | None, turnover_amount: Decimal | int | None, rules: FlagRules = DEFAULT_FLAG_RULES) -> bool:
    """SME unless a *known* figure exceeds the limits.

    Missing figures count in the organisation's favour: the registry is mostly small co-operatives and
    community groups that never publish headcount or turnover, and treating them as non-SME would hide them
    from SME-reserved tenders. A large organisation with no figures is the rare case, fixed by adding data.
    """
    if employees is not None and employees >= rules.sme_max_employees:
        return False
    return not (turnover_amount is not None and Decimal(turnover_amount) > rules.sme_max_turnover)


def derive_flags(
    *,
    legal_form: LegalForm | str | None,
    ownership: Iterable[Ownership | str] = (),
    employees: int | None = None,
    turnover_amount: Decimal | int | None = None,
    certifications: Iterable[Any] = (),
    today: date,
    rules: FlagRules = DEFAULT_FLAG_RULES,
) -> Flags:
    """Compute the three derived flags.

    ``certifications`` are dicts or objects with ``scheme``, ``status`` and ``expires_on``; only those
    current on ``today`` count (see ``certifications.effective_status``). ``turnover_amount`` is in pounds.
    Unknown ``legal_form`` / ``ownership`` strings raise ``ValueError`` (validate them before this).
    """
    form = LegalForm(legal_form) if legal_form is not None else None
    overlays = {Ownership(item) for item in ownership}
    certification_list = list(certifications)
    vcse = (form in rules.vcse_legal_forms) or _holds_current(certification_list, rules.vcse_certifications, today)
    social_economy = vcse or form in rules.social_economy_legal_forms or bool(overlays & rules.social_economy_ownership)
    return Flags(
        is_vcse=vcse,
        is_sme=is_sme(employees, turnover_amount, rules),
        is_social_economy=social_economy,
    )
