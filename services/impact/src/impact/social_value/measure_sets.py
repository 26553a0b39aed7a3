"""Social value measure sets: themes → outcomes → measures, each measure a proxy value in GBP per unit at a
price year, with a licence note.

Sets are data, loaded by each tenant: councils hold their own National TOMs or HACT licences, and those
values are never shipped here. `MeasureSetDocument` validates an uploaded JSON document; `MeasureSet`
indexes a valid one for valuation and the double-counting guard; `default_measure_set()` is the open set
bundled with the service, built only from public values (see data/measure_sets/SOURCE.txt).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from importlib.resources import files
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator, model_validator

MIN_PRICE_YEAR = 1990
MAX_PRICE_YEAR = 2100
DEFAULT_SET_PATH = "data/measure_sets/open_default.json"

Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
ProxyValue = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=6, allow_inf_nan=False)]
PriceYear = Annotated[int, Field(ge=MIN_PRICE_YEAR, le=MAX_PRICE_YEAR)]


class _Document(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MeasureDocument(_Document):
    code: Code
    name: Text
    unit: Text
    proxy_value: ProxyValue  # GBP per unit, in `price_year` prices
    price_year: PriceYear
    licence: Text  # the terms the value may be used under, shown wherever it is reported
    source: Text | None = None
    low_value: ProxyValue | None = None  # sensitivity range, where the source gives one
    high_value: ProxyValue | None = None

    @model_validator(mode="after")
    def _range_brackets_the_value(self) -> Self:
        if self.low_value is not None and self.low_value > self.proxy_value:
            raise ValueError(f"measure {self.code!r}: low_value is above proxy_value")
        if self.high_value is not None and self.high_value < self.proxy_value:
            raise ValueError(f"measure {self.code!r}: high_value is below proxy_value")
        return self


class OutcomeDocument(_Document):
    code: Code
    name: Text
    measures: list[MeasureDocument] = Field(min_length=1)


class ThemeDocument(_Document):
    code: Code
    name: Text
    outcomes: list[OutcomeDocument] = Field(min_length=1)


class OverlapDocument(_Document):
    """Measures in different outcomes that still value the same change, so one award may claim only one."""

    measures: list[Code] = Field(min_length=2)
    reason: Text | None = None


class MeasureSetDocument(_Document):
    code: Code
    name: Text
    version: Text | None = None
    currency: Literal["GBP"] = "GBP"
    licence: Text
    source: Text | None = None
    themes: list[ThemeDocument] = Field(min_length=1)
    overlaps: list[OverlapDocument] = Field(default_factory=list)

    @field_validator("themes")
    @classmethod
    def _codes_are_unique(cls, themes: list[ThemeDocument]) -> list[ThemeDocument]:
        _unique("theme", [t.code for t in themes])
        _unique("outcome", [o.code for t in themes for o in t.outcomes])
        # A measure listed under two outcomes would be valued twice by anyone claiming both outcomes.
        home: dict[str, str] = {}
        for theme in themes:
            for outcome in theme.outcomes:
                for measure in outcome.measures:
                    if measure.code in home:
                        where = (
                            f"twice in outcome {outcome.code!r}"
                            if home[measure.code] == outcome.code
                            else f"in outcomes {home[measure.code]!r} and {outcome.code!r}"
                        )
                        raise ValueError(
                            f"measure {measure.code!r} appears {where}: each measure belongs to exactly one outcome"
                        )
                    home[measure.code] = outcome.code
        return themes

    @model_validator(mode="after")
    def _overlaps_name_known_measures(self) -> Self:
        known = {m.code for t in self.themes for o in t.outcomes for m in o.measures}
        for i, overlap in enumerate(self.overlaps):
            _unique(f"overlaps[{i}] measure", overlap.measures)
            unknown = sorted(set(overlap.measures) - known)
            if unknown:
                raise ValueError(f"overlaps[{i}] names measures not in the set: {', '.join(unknown)}")
        return self


def _unique(kind: str, codes: list[str]) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ValueError(f"{kind} code {code!r} is used more than once")
        seen.add(code)


@dataclass(frozen=True)
class PlacedMeasure:
    """A measure with the outcome and theme it belongs to."""

    measure: MeasureDocument
    outcome_code: str
    theme_code: str

    @property
    def code(self) -> str:
        return self.measure.code


class MeasureSet:
    """A validated measure set, indexed by measure code."""

    def __init__(self, document: MeasureSetDocument) -> None:
        self.document = document
        self._measures: dict[str, PlacedMeasure] = {
            m.code: PlacedMeasure(m, o.code, t.code) for t in document.themes for o in t.outcomes for m in o.measures
        }
        self._overlaps: dict[str, set[str]] = {}
        for overlap in document.overlaps:
            for code in overlap.measures:
                self._overlaps.setdefault(code, set()).update(c for c in overlap.measures if c != code)

    @property
    def code(self) -> str:
        return self.document.code

    def get(self, code: str) -> PlacedMeasure | None:
        return self._measures.get(code)

    def __getitem__(self, code: str) -> PlacedMeasure:
        return self._measures[code]

    def __contains__(self, code: object) -> bool:
        return code in self._measures

    def __iter__(self) -> Iterator[PlacedMeasure]:
        return iter(self._measures.values())

    def __len__(self) -> int:
        return len(self._measures)

    def conflict(self, a: str, b: str) -> str | None:
        """Why claiming both measures would double count: "same_measure", "same_outcome", "declared_overlap"."""
        if a == b:
            return "same_measure"
        if a in self._measures and b in self._measures and self._measures[a].outcome_code == self[b].outcome_code:
            return "same_outcome"
        if b in self._overlaps.get(a, ()):
            return "declared_overlap"
        return None


class MeasureSetError(ValueError):
    """An uploaded document is not a valid measure set; `errors` are problem+json items {loc, msg, type}."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{'.'.join(map(str, e['loc'])) or '(document)'}: {e['msg']}" for e in errors))


def parse_measure_set(raw: str | bytes | Mapping[str, Any]) -> MeasureSet:
    """Validate an uploaded measure set (JSON text or an already-parsed object). Raises `MeasureSetError`."""
    try:
        if isinstance(raw, str | bytes):
            document = MeasureSetDocument.model_validate_json(raw)
        else:
            document = MeasureSetDocument.model_validate(raw)
    except ValidationError as exc:
        raise MeasureSetError(
            [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors(include_url=False)]
        ) from exc
    return MeasureSet(document)


@functools.cache
def default_measure_set() -> MeasureSet:
    """The open default set bundled with the service (public values only)."""
    text = files("impact.social_value").joinpath(DEFAULT_SET_PATH).read_text(encoding="utf-8")
    return MeasureSet(MeasureSetDocument.model_validate_json(text))
