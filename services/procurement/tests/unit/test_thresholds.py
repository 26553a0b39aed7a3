"""Thresholds from the bundled date-versioned table, at and around every boundary the SPEC names."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from procurement.rules.thresholds import ThresholdTable, buyer_class, default_thresholds


@pytest.mark.parametrize(
    ("kind", "contract_type", "on", "expected"),
    [
        ("council", "services", date(2025, 12, 31), "214904"),
        ("council", "services", date(2026, 1, 1), "207720"),
        ("council", "supplies", date(2026, 3, 1), "207720"),
        ("anchor", "services", date(2026, 3, 1), "207720"),
        ("council", "works", date(2025, 12, 31), "5372609"),
        ("council", "works", date(2026, 1, 1), "5193000"),
        ("council", "light_touch", date(2026, 3, 1), "663540"),
        ("central", "services", date(2025, 12, 31), "139688"),
        ("central", "services", date(2026, 1, 1), "135018"),
    ],
)
def test_threshold_in_force_on_the_day(kind: str, contract_type: str, on: date, expected: str) -> None:
    threshold = default_thresholds().find(kind, contract_type, on)
    assert threshold is not None and threshold.amount_gross == Decimal(expected)


@pytest.mark.parametrize(
    ("amount", "on", "above"),
    [
        ("180000", date(2026, 3, 1), False),
        ("250000", date(2026, 3, 1), True),
        ("207719.99", date(2026, 3, 1), False),
        ("207720", date(2026, 3, 1), True),  # "not less than" the threshold: the exact value is regulated
        ("210000", date(2025, 12, 31), False),  # under the old £214,904
        ("210000", date(2026, 1, 1), True),  # over the new £207,720
    ],
)
def test_council_services_above_threshold(amount: str, on: date, above: bool) -> None:
    decision = default_thresholds().decide(Decimal(amount), "council", "services", on)
    assert decision.above_threshold is above


def test_unknown_value_or_contract_type_is_undecided() -> None:
    table = default_thresholds()
    assert table.decide(None, "council", "services", date(2026, 3, 1)).above_threshold is None
    assert table.decide(Decimal(1), "council", None, date(2026, 3, 1)).above_threshold is None


def test_a_new_table_row_changes_the_answer_without_code() -> None:
    table = ThresholdTable.from_csv(
        "buyer_class,contract_type,effective_from,effective_to,amount_gross,currency\n"
        "sub_central,services,2026-01-01,2027-12-31,207720,GBP\n"
        "sub_central,services,2028-01-01,,250000,GBP\n"
    )
    assert table.decide(Decimal(240000), "council", "services", date(2027, 12, 31)).above_threshold is True
    assert table.decide(Decimal(240000), "council", "services", date(2028, 1, 1)).above_threshold is False


def test_buyer_classes() -> None:
    assert buyer_class("council") == buyer_class("anchor") == "sub_central"
    assert buyer_class("central") == "central"
