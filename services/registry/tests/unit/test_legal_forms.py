import pytest
from registry.rules.legal_forms import (
    LegalForm,
    Ownership,
    is_known_ownership_wording,
    legal_form_from_company_number,
    map_legal_form,
    map_ownership,
    normalise_wording,
)

# Every legal-form string observed in Co-operatives UK, 360Giving (Power to Change) and CASC / Companies House
# data (shared reference legal-forms/observed_legal_form_strings.csv), with the form we expect.
# Deliberate "other": Co-operatives UK's bare "Company" (guarantee or shares is not stated), statutory bodies,
# universities, Companies House "Converted/Closed", a "Pending CBS" (not registered yet) and unlimited
# companies (no SPEC enum value). The empty string is the only None.
OBSERVED_LEGAL_FORMS = [
    ("Society", LegalForm.REGISTERED_SOCIETY_COOPERATIVE),
    ("Company", LegalForm.OTHER),
    ("Unincorporated", LegalForm.UNINCORPORATED_ASSOCIATION),
    ("Community Interest Company", LegalForm.COMMUNITY_INTEREST_COMPANY),
    ("", None),
    ("LLP", LegalForm.LLP),
    ("Scottish Charitable Incorporated Organisation", LegalForm.SCOTTISH_CIO),
    ("Limited Partnership", LegalForm.PARTNERSHIP),
    ("Act of Parliament", LegalForm.OTHER),
    ("Company Limited by Guarantee", LegalForm.COMPANY_LIMITED_BY_GUARANTEE),
    ("Registered charity", LegalForm.CHARITY_TRUST),
    ("Community Interest Company Limited by Guarantee", LegalForm.COMMUNITY_INTEREST_COMPANY),
    ("Community Benefit Society", LegalForm.REGISTERED_SOCIETY_COMMUNITY_BENEFIT),
    ("Registered society", LegalForm.REGISTERED_SOCIETY_COOPERATIVE),
    ("Charitable Incorporated Organisation", LegalForm.CHARITABLE_INCORPORATED_ORGANISATION),
    ("Unincorporated Association", LegalForm.UNINCORPORATED_ASSOCIATION),
    ("Industrial and provident society", LegalForm.REGISTERED_SOCIETY_COOPERATIVE),
    ("Private Limited Company", LegalForm.COMPANY_LIMITED_BY_SHARES),
    ("Community Interest Company Limited by Shares", LegalForm.COMMUNITY_INTEREST_COMPANY),
    ("Trust", LegalForm.CHARITY_TRUST),
    ("Co-operative Society", LegalForm.REGISTERED_SOCIETY_COOPERATIVE),
    ("University", LegalForm.OTHER),
    ("Converted/Closed", LegalForm.OTHER),
    ("Company Limited by Shares", LegalForm.COMPANY_LIMITED_BY_SHARES),
    ("Limited Liability Partnership", LegalForm.LLP),
    ("Individual", LegalForm.SOLE_TRADER),
    ("Private limited Company", LegalForm.COMPANY_LIMITED_BY_SHARES),
    ("Pending CBS", LegalForm.OTHER),
    ("Sole Trader", LegalForm.SOLE_TRADER),
    (
        "PRI/LTD BY GUAR/NSC (Private, limited by guarantee, no share capital)",
        LegalForm.COMPANY_LIMITED_BY_GUARANTEE,
    ),
    (
        "PRI/LBG/NSC (Private, Limited by guarantee, no share capital, use of 'Limited' exemption)",
        LegalForm.COMPANY_LIMITED_BY_GUARANTEE,
    ),
    ("Industrial and Provident Society", LegalForm.REGISTERED_SOCIETY_COOPERATIVE),
    ("Registered Society", LegalForm.REGISTERED_SOCIETY_COOPERATIVE),
    ("Private Unlimited Company", LegalForm.OTHER),
]

# Co-operatives UK "Ownership Classification": three wordings have no SPEC overlay (producer, freelancer and
# secondary co-operatives), so they are known but map to None.
OBSERVED_OWNERSHIP = [
    ("Consumers", Ownership.CONSUMER_COOPERATIVE),
    ("Community of Interest", Ownership.COMMUNITY_OWNED),
    ("Tenants", Ownership.TENANT_OWNED),
    ("Enterprises", None),
    ("Multi-stakeholder", Ownership.MULTI_STAKEHOLDER),
    ("Workers", Ownership.WORKER_COOPERATIVE),
    ("Self-employed", None),
    ("Employee Trust", Ownership.EMPLOYEE_OWNED_TRUST),
    ("Co-operatives", None),
]

# company_type keys of Companies House api-enumerations constants.yml (excerpt in the shared reference data).
COMPANIES_HOUSE_COMPANY_TYPES = {
    "private-unlimited": LegalForm.OTHER,
    "ltd": LegalForm.COMPANY_LIMITED_BY_SHARES,
    "plc": LegalForm.PLC,
    "old-public-company": LegalForm.PLC,
    "private-limited-guarant-nsc-limited-exemption": LegalForm.COMPANY_LIMITED_BY_GUARANTEE,
    "limited-partnership": LegalForm.PARTNERSHIP,
    "private-limited-guarant-nsc": LegalForm.COMPANY_LIMITED_BY_GUARANTEE,
    "converted-or-closed": LegalForm.OTHER,
    "private-unlimited-nsc": LegalForm.OTHER,
    "private-limited-shares-section-30-exemption": LegalForm.COMPANY_LIMITED_BY_SHARES,
    "assurance-company": LegalForm.OTHER,
    "oversea-company": LegalForm.OTHER,
    "eeig": LegalForm.OTHER,
    "icvc-securities": LegalForm.OTHER,
    "icvc-warrant": LegalForm.OTHER,
    "icvc-umbrella": LegalForm.OTHER,
    "industrial-and-provident-society": LegalForm.REGISTERED_SOCIETY_COOPERATIVE,
    "registered-society-non-jurisdictional": LegalForm.REGISTERED_SOCIETY_COOPERATIVE,
    "northern-ireland": LegalForm.OTHER,
    "northern-ireland-other": LegalForm.CREDIT_UNION,
    "llp": LegalForm.LLP,
    "royal-charter": LegalForm.OTHER,
    "investment-company-with-variable-capital": LegalForm.OTHER,
    "unregistered-company": LegalForm.OTHER,
    "other": LegalForm.OTHER,
    "european-public-limited-liability-company-se": LegalForm.PLC,
    "charitable-incorporated-organisation": LegalForm.CHARITABLE_INCORPORATED_ORGANISATION,
    "scottish-charitable-incorporated-organisation": LegalForm.SCOTTISH_CIO,
}


def test_enums_hold_exactly_the_spec_values() -> None:
    assert [form.value for form in LegalForm] == [
        "company_limited_by_guarantee",
        "company_limited_by_shares",
        "plc",
        "community_interest_company",
        "charitable_incorporated_organisation",
        "scottish_cio",
        "registered_society_cooperative",
        "registered_society_community_benefit",
        "credit_union",
        "charity_trust",
        "unincorporated_association",
        "parish_council",
        "llp",
        "partnership",
        "sole_trader",
        "other",
    ]
    assert {overlay.value for overlay in Ownership} == {
        "worker_cooperative",
        "consumer_cooperative",
        "multi_stakeholder",
        "community_owned",
        "employee_owned_trust",
        "community_land_trust",
        "tenant_owned",
    }


@pytest.mark.parametrize(("raw", "expected"), OBSERVED_LEGAL_FORMS)
def test_every_observed_legal_form_string_maps(raw: str, expected: LegalForm | None) -> None:
    assert map_legal_form(raw) is expected


@pytest.mark.parametrize(("raw", "expected"), OBSERVED_OWNERSHIP)
def test_every_observed_ownership_string_maps(raw: str, expected: Ownership | None) -> None:
    assert map_ownership(raw) is expected
    assert is_known_ownership_wording(raw)


@pytest.mark.parametrize(("key", "expected"), sorted(COMPANIES_HOUSE_COMPANY_TYPES.items()))
def test_companies_house_company_types_map(key: str, expected: LegalForm) -> None:
    assert map_legal_form(key) is expected


@pytest.mark.parametrize("form", list(LegalForm))
def test_enum_values_map_to_themselves(form: LegalForm) -> None:
    assert map_legal_form(form.value) is form
    assert map_legal_form(form.value.upper().replace("_", " ")) is form


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("CIC", LegalForm.COMMUNITY_INTEREST_COMPANY),
        ("  c.i.c. ", LegalForm.COMMUNITY_INTEREST_COMPANY),
        ("Ltd", LegalForm.COMPANY_LIMITED_BY_SHARES),
        ("Private Ltd Company", LegalForm.COMPANY_LIMITED_BY_SHARES),
        ("Co-op", LegalForm.REGISTERED_SOCIETY_COOPERATIVE),
        ("Cooperative", LegalForm.REGISTERED_SOCIETY_COOPERATIVE),
        ("I & P Society", LegalForm.REGISTERED_SOCIETY_COOPERATIVE),
        ("BenCom", LegalForm.REGISTERED_SOCIETY_COMMUNITY_BENEFIT),
        ("SCIO", LegalForm.SCOTTISH_CIO),
        ("CIO - Foundation model", LegalForm.CHARITABLE_INCORPORATED_ORGANISATION),
        ("Trust (founding deed)", LegalForm.CHARITY_TRUST),
        ("Charitable company", LegalForm.COMPANY_LIMITED_BY_GUARANTEE),
        ("Town Council", LegalForm.PARISH_COUNCIL),
        ("Credit Union", LegalForm.CREDIT_UNION),
        ("PLC", LegalForm.PLC),
    ],
)
def test_common_wordings(raw: str, expected: LegalForm) -> None:
    assert map_legal_form(raw) is expected


@pytest.mark.parametrize("raw", [None, "", "   ", "wibble", "Limited by magic"])
def test_unknown_or_empty_wording_is_none(raw: str | None) -> None:
    assert map_legal_form(raw) is None


@pytest.mark.parametrize(
    ("company_number", "expected"),
    [
        ("IP028190", LegalForm.REGISTERED_SOCIETY_COOPERATIVE),
        ("SP001234", LegalForm.REGISTERED_SOCIETY_COOPERATIVE),
        ("RS007924", LegalForm.REGISTERED_SOCIETY_COOPERATIVE),
        ("NO000123", LegalForm.CREDIT_UNION),
        ("OC301234", LegalForm.LLP),
        ("so 301234", LegalForm.LLP),
        ("CE001234", LegalForm.CHARITABLE_INCORPORATED_ORGANISATION),
        ("CS000123", LegalForm.SCOTTISH_CIO),
        ("LP012345", LegalForm.PARTNERSHIP),
        ("SC123456", None),  # a Scottish company of any kind
        ("03416658", None),
        (None, None),
    ],
)
def test_company_number_prefix_hint(company_number: str | None, expected: LegalForm | None) -> None:
    assert legal_form_from_company_number(company_number) is expected
    assert map_legal_form(None, company_number=company_number) is expected


def test_hint_refines_only_vague_wording() -> None:
    assert map_legal_form("Company", company_number="OC301234") is LegalForm.LLP
    assert map_legal_form("Company", company_number="03416658") is LegalForm.OTHER
    assert map_legal_form("wibble", company_number="RS007924") is LegalForm.REGISTERED_SOCIETY_COOPERATIVE
    # Specific wording wins over the prefix.
    assert map_legal_form("Community Benefit Society", company_number="IP028190") is (
        LegalForm.REGISTERED_SOCIETY_COMMUNITY_BENEFIT
    )


def test_wording_normalisation() -> None:
    assert normalise_wording("PRI/LTD BY GUAR/NSC") == "pri limited by guar nsc"
    assert normalise_wording("Co-operative & Community Benefit") == "cooperative and community benefit"
    assert normalise_wording("  Multi-Stakeholder ") == "multi stakeholder"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("worker_cooperative", Ownership.WORKER_COOPERATIVE),
        ("Worker Co-operative", Ownership.WORKER_COOPERATIVE),
        ("Employee Ownership Trust", Ownership.EMPLOYEE_OWNED_TRUST),
        ("Community Land Trust", Ownership.COMMUNITY_LAND_TRUST),
        (None, None),
        ("nonsense", None),
    ],
)
def test_map_ownership(raw: str | None, expected: Ownership | None) -> None:
    assert map_ownership(raw) is expected
