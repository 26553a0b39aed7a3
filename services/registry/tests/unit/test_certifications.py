from datetime import date

import pytest
from registry.rules.certifications import CertificationScheme, effective_status, is_current

TODAY = date(2026, 3, 1)


def test_schemes_are_the_spec_values() -> None:
    assert [scheme.value for scheme in CertificationScheme] == [
        "social_enterprise_mark",
        "real_living_wage",
        "b_corp",
        "fair_tax_mark",
        "other",
    ]


@pytest.mark.parametrize(
    ("status", "expires_on", "expected"),
    [
        ("active", date(2026, 2, 28), "expired"),  # past expiry
        ("active", date(2026, 3, 1), "active"),  # still current on the expiry date itself
        ("active", date(2027, 1, 1), "active"),
        (None, None, "active"),
        ("", None, "active"),
        ("suspended", None, "suspended"),
        ("suspended", date(2020, 1, 1), "expired"),
        ("pending", date(2027, 1, 1), "pending"),
    ],
)
def test_effective_status(status: str | None, expires_on: date | None, expected: str) -> None:
    assert effective_status(status, expires_on, TODAY) == expected


def test_is_current() -> None:
    assert is_current("Active", date(2026, 3, 1), TODAY)
    assert is_current(None, None, TODAY)
    assert not is_current("active", date(2026, 2, 28), TODAY)
    assert not is_current("revoked", None, TODAY)
