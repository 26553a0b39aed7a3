import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from registry.rules.flags import DEFAULT_FLAG_RULES, FlagRules, Flags, derive_flags, is_sme
from registry.rules.legal_forms import LegalForm, Ownership

TODAY = date(2026, 3, 1)


def flags(
    *,
    legal_form: LegalForm | str | None = None,
    ownership: Iterable[Ownership | str] = (),
    employees: int | None = None,
    turnover_amount: Decimal | int | None = None,
    certifications: Iterable[Any] = (),
    rules: FlagRules = DEFAULT_FLAG_RULES,
) -> Flags:
    return derive_flags(
        legal_form=legal_form,
        ownership=ownership,
        employees=employees,
        turnover_amount=turnover_amount,
        certifications=certifications,
        today=TODAY,
        rules=rules,
    )


@dataclass(frozen=True)
class StoredCertification:
    scheme: str
    status: str | None
    expires_on: date | None


def test_300_employee_firm_is_not_sme() -> None:
    assert not flags(legal_form=LegalForm.COMPANY_LIMITED_BY_SHARES, employees=300).is_sme


def test_249_employees_is_sme_and_250_is_not() -> None:
    assert flags(employees=249).is_sme
    assert not flags(employees=250).is_sme


def test_turnover_of_exactly_44m_is_sme() -> None:
    assert flags(employees=10, turnover_amount=Decimal("44000000")).is_sme
    assert not flags(employees=10, turnover_amount=Decimal("44000000.01")).is_sme


def test_unknown_figures_count_as_sme() -> None:
    assert flags(legal_form=LegalForm.REGISTERED_SOCIETY_COOPERATIVE).is_sme
    assert not flags(turnover_amount=45_000_000).is_sme
    assert is_sme(None, None)


def test_cic_is_vcse_and_social_economy() -> None:
    result = flags(legal_form=LegalForm.COMMUNITY_INTEREST_COMPANY)
    assert result.is_vcse
    assert result.is_social_economy


@pytest.mark.parametrize(
    "form",
    [
        LegalForm.CHARITY_TRUST,
        LegalForm.CHARITABLE_INCORPORATED_ORGANISATION,
        LegalForm.SCOTTISH_CIO,
        LegalForm.REGISTERED_SOCIETY_COMMUNITY_BENEFIT,
        LegalForm.COMPANY_LIMITED_BY_GUARANTEE,
        LegalForm.UNINCORPORATED_ASSOCIATION,
        "community_interest_company",
    ],
)
def test_vcse_legal_forms(form: LegalForm | str) -> None:
    assert flags(legal_form=form).is_vcse


def test_worker_coop_company_is_social_economy_but_not_vcse() -> None:
    result = flags(legal_form=LegalForm.COMPANY_LIMITED_BY_SHARES, ownership=[Ownership.WORKER_COOPERATIVE])
    assert result == Flags(is_vcse=False, is_sme=True, is_social_economy=True)


@pytest.mark.parametrize(
    "form",
    [LegalForm.REGISTERED_SOCIETY_COOPERATIVE, LegalForm.CREDIT_UNION, "registered_society_cooperative"],
)
def test_mutual_forms_are_social_economy_not_vcse(form: LegalForm | str) -> None:
    result = flags(legal_form=form)
    assert result.is_social_economy
    assert not result.is_vcse


def test_ordinary_company_and_parish_council_are_neither() -> None:
    for form in (LegalForm.COMPANY_LIMITED_BY_SHARES, LegalForm.PLC, LegalForm.PARISH_COUNCIL, None):
        result = flags(legal_form=form)
        assert not result.is_vcse
        assert not result.is_social_economy


def test_current_social_enterprise_mark_makes_vcse() -> None:
    mark = {"scheme": "social_enterprise_mark", "status": "active", "expires_on": date(2026, 12, 31)}
    result = flags(legal_form=LegalForm.COMPANY_LIMITED_BY_SHARES, certifications=[mark])
    assert result.is_vcse
    assert result.is_social_economy


def test_expired_social_enterprise_mark_does_not_make_vcse() -> None:
    mark = StoredCertification("social_enterprise_mark", "active", date(2026, 2, 28))
    assert not flags(legal_form=LegalForm.COMPANY_LIMITED_BY_SHARES, certifications=[mark]).is_vcse


def test_mark_counts_on_its_expiry_date() -> None:
    mark = StoredCertification("social_enterprise_mark", None, TODAY)
    assert flags(certifications=[mark]).is_vcse


def test_other_certifications_do_not_make_vcse() -> None:
    certifications = [
        {"scheme": "b_corp", "status": "active", "expires_on": None},
        {"scheme": "social_enterprise_mark", "status": "revoked", "expires_on": None},
    ]
    assert not flags(certifications=certifications).is_vcse


def test_flags_as_dict() -> None:
    assert flags(legal_form=LegalForm.CHARITY_TRUST, employees=1000).as_dict() == {
        "is_vcse": True,
        "is_sme": False,
        "is_social_economy": True,
    }


def test_unknown_legal_form_is_rejected() -> None:
    with pytest.raises(ValueError):
        flags(legal_form="charity")


def test_rules_from_mapping_override_defaults() -> None:
    rules = FlagRules.from_mapping(
        {
            "sme_max_employees": 50,
            "sme_max_turnover": "10000000",
            "vcse_legal_forms": ["charity_trust"],
            "vcse_certifications": ["social_enterprise_mark", "b_corp"],
            "social_economy_ownership": ["worker_cooperative"],
        }
    )
    assert rules.sme_max_turnover == Decimal("10000000")
    assert rules.social_economy_legal_forms == DEFAULT_FLAG_RULES.social_economy_legal_forms
    assert not flags(employees=60, rules=rules).is_sme
    assert not flags(legal_form=LegalForm.COMMUNITY_INTEREST_COMPANY, rules=rules).is_vcse
    b_corp = {"scheme": "b_corp", "status": "active", "expires_on": None}
    assert flags(certifications=[b_corp], rules=rules).is_vcse
    assert not flags(ownership=[Ownership.TENANT_OWNED], rules=rules).is_social_economy


def test_rules_reject_unknown_settings_and_values() -> None:
    with pytest.raises(ValueError, match="sme_max_staff"):
        FlagRules.from_mapping({"sme_max_staff": 10})
    with pytest.raises(ValueError):
        FlagRules.from_mapping({"vcse_legal_forms": ["charity"]})


def test_rules_from_json_file(tmp_path: Path) -> None:
    path = tmp_path / "flag_rules.json"
    path.write_text(json.dumps({"sme_max_employees": 10}), encoding="utf-8")
    rules = FlagRules.from_json(path)
    assert rules.sme_max_employees == 10
    assert rules.sme_max_turnover == Decimal("44000000")
    assert FlagRules.from_mapping(DEFAULT_FLAG_RULES.as_dict()) == DEFAULT_FLAG_RULES
