"""Procurement thresholds as a date-versioned reference table (data/thresholds/thresholds.csv, not code).

`above_threshold` compares a tender's VAT-inclusive value with the threshold for its contract type and its
buyer's class on the publication date. Councils and other anchor institutions are sub-central buyers;
only a tenant of kind `central` uses the central-government figures.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

CENTRAL_KINDS = frozenset({"central"})


@dataclass(frozen=True)
class Threshold:
    buyer_class: str
    contract_type: str
    effective_from: date
    effective_to: date | None
    amount_gross: Decimal
    currency: str

    def applies_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


@dataclass(frozen=True)
class ThresholdDecision:
    above_threshold: bool | None  # None: no value or no threshold for the contract type, so not known
    threshold: Threshold | None


def buyer_class(tenant_kind: str) -> str:
    return "central" if tenant_kind in CENTRAL_KINDS else "sub_central"


class ThresholdTable:
    def __init__(self, rows: list[Threshold]) -> None:
        self.rows = rows

    @classmethod
    def from_csv(cls, text: str) -> ThresholdTable:
        rows = [
            Threshold(
                buyer_class=r["buyer_class"],
                contract_type=r["contract_type"],
                effective_from=date.fromisoformat(r["effective_from"]),
                effective_to=date.fromisoformat(r["effective_to"]) if r["effective_to"] else None,
                amount_gross=Decimal(r["amount_gross"]),
                currency=r["currency"],
            )
            for r in csv.DictReader(text.splitlines())
        ]
        return cls(rows)

    @classmethod
    def from_file(cls, path: Path) -> ThresholdTable:
        return cls.from_csv(path.read_text(encoding="utf-8"))

    def find(self, tenant_kind: str, contract_type: str | None, on: date) -> Threshold | None:
        """The threshold in force on `on`; of overlapping rows the latest `effective_from` wins."""
        klass = buyer_class(tenant_kind)
        candidates = [
            t for t in self.rows if t.buyer_class == klass and t.contract_type == contract_type and t.applies_on(on)
        ]
        return max(candidates, key=lambda t: t.effective_from, default=None)

    def decide(
        self, amount_gross: Decimal | None, tenant_kind: str, contract_type: str | None, on: date
    ) -> ThresholdDecision:
        """A tender is above threshold when its gross value is at or over the threshold (the Act: "not less than")."""
        threshold = self.find(tenant_kind, contract_type, on)
        if threshold is None or amount_gross is None:
            return ThresholdDecision(None, threshold)
        return ThresholdDecision(amount_gross >= threshold.amount_gross, threshold)


@functools.cache
def default_thresholds() -> ThresholdTable:
    return ThresholdTable.from_csv(
        files("procurement").joinpath("data/thresholds/thresholds.csv").read_text(encoding="utf-8")
    )
