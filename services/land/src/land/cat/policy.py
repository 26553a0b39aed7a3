"""A council's CAT policy: its stages in order with target durations, and its scoring criteria.

Applications move forward one stage at a time; `withdrawn` and `rejected` end an application from any
stage before completion. Anything else is an illegal transition (409). The stages after the decision
stage can be entered only once the decision approved the transfer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

WITHDRAWN, REJECTED, COMPLETED = "withdrawn", "rejected", "completed"
TERMINAL = frozenset({WITHDRAWN, REJECTED, COMPLETED})
DECISION_STAGE = "decision"


@dataclass(frozen=True)
class Stage:
    name: str
    target_days: int | None


@dataclass(frozen=True)
class Criterion:
    name: str
    weight_pct: int


@dataclass(frozen=True)
class CatPolicy:
    stages: tuple[Stage, ...]
    criteria: tuple[Criterion, ...]

    @property
    def first(self) -> str:
        return self.stages[0].name

    def index(self, stage: str) -> int:
        return [s.name for s in self.stages].index(stage)

    def target_days(self, stage: str) -> int | None:
        return next((s.target_days for s in self.stages if s.name == stage), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "stages": [{"name": s.name, "target_days": s.target_days} for s in self.stages],
            "criteria": [{"name": c.name, "weight_pct": c.weight_pct} for c in self.criteria],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CatPolicy:
        return cls(
            tuple(Stage(s["name"], s.get("target_days")) for s in data["stages"]),
            tuple(Criterion(c["name"], int(c["weight_pct"])) for c in data["criteria"]),
        )


DEFAULT_POLICY = CatPolicy(
    stages=(
        Stage("expression_of_interest", 28),
        Stage("business_case", 90),
        Stage("assessment", 56),
        Stage(DECISION_STAGE, 28),
        Stage("heads_of_terms", 90),
        Stage(COMPLETED, None),
    ),
    criteria=(
        Criterion("community_benefit", 40),
        Criterion("financial_sustainability", 25),
        Criterion("governance_and_capacity", 20),
        Criterion("local_support", 15),
    ),
)


class PolicyError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def validate_policy(stages: Sequence[Stage], criteria: Sequence[Criterion]) -> CatPolicy:
    names = [s.name for s in stages]
    if len(set(names)) != len(names):
        raise PolicyError("stages", "stage names must be unique")
    if not names or names[-1] != COMPLETED:
        raise PolicyError("stages", f"the last stage must be {COMPLETED!r}")
    if DECISION_STAGE not in names[:-1]:
        raise PolicyError("stages", f"a {DECISION_STAGE!r} stage must come before {COMPLETED!r}")
    if WITHDRAWN in names or REJECTED in names:
        raise PolicyError("stages", "withdrawn and rejected are outcomes, not stages")
    if criteria and sum(c.weight_pct for c in criteria) != 100:
        raise PolicyError("criteria", f"criteria weights must sum to 100, not {sum(c.weight_pct for c in criteria)}")
    return CatPolicy(tuple(stages), tuple(criteria))


def transition_refusal(policy: CatPolicy, current: str, to: str, *, approved: bool) -> str | None:
    """Why `current → to` is not allowed, or None when it is."""
    if current in TERMINAL:
        return f"the application is {current}; it cannot move to {to}"
    if to in (WITHDRAWN, REJECTED):
        return None
    names = [s.name for s in policy.stages]
    if to not in names:
        return f"{to!r} is not a stage of this council's policy ({', '.join(names)})"
    if policy.index(to) != policy.index(current) + 1:
        return f"from {current} the next stage is {names[policy.index(current) + 1]}, not {to}"
    if policy.index(to) > policy.index(DECISION_STAGE) and not approved:
        return f"{to} needs an approving decision first"
    return None


def weighted_score(policy: CatPolicy, scores: dict[str, int]) -> float:
    """Scores 0–5 per criterion → a 0–100 weighted total."""
    return round(sum(c.weight_pct * scores[c.name] / 5 for c in policy.criteria), 2)
