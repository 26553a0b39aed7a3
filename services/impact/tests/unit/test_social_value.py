"""Social value engine (SPEC §7.2): valuation arithmetic by hand, drop-off, price-year uplift, the
double-counting guard, commitments vs actuals, measure-set validation and the bundled open default set."""

import json
from decimal import Decimal
from typing import Any

import pytest
from impact.social_value.engine import (
    Actual,
    Adjustments,
    Commitment,
    DoubleCountingError,
    PriceIndex,
    SocialValueError,
    compare_delivery,
    gdp_deflator,
    value_actuals,
    value_commitment,
    value_commitments,
)
from impact.social_value.measure_sets import MeasureSet, MeasureSetError, default_measure_set, parse_measure_set

D = Decimal


def _measure(code: str, value: str = "1000", year: int = 2019, **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": f"Measure {code}",
        "unit": "person",
        "proxy_value": value,
        "price_year": year,
        "licence": "test",
        **extra,
    }


def _document(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "code": "tenant-set",
        "name": "A tenant's own set",
        "licence": "Tenant's own licence",
        "themes": [
            {
                "code": "jobs",
                "name": "Jobs",
                "outcomes": [
                    {
                        "code": "jobs.local",
                        "name": "Local people in work",
                        "measures": [_measure("J1"), _measure("J2")],
                    },
                    {"code": "jobs.skills", "name": "Skills", "measures": [_measure("S1", "250")]},
                ],
            },
            {
                "code": "health",
                "name": "Health",
                "outcomes": [{"code": "health.wellbeing", "name": "Wellbeing", "measures": [_measure("H1", "500")]}],
            },
        ],
        "overlaps": [{"measures": ["S1", "H1"], "reason": "the skills measure already includes wellbeing gains"}],
    }
    doc.update(overrides)
    return doc


@pytest.fixture
def tenant_set() -> MeasureSet:
    return parse_measure_set(_document())


# --- arithmetic ------------------------------------------------------------------------------------------


def test_value_without_adjustments_is_quantity_times_proxy(tenant_set: MeasureSet) -> None:
    v = value_commitment(Commitment("award-1", "J1", D(3)), tenant_set, reporting_year=2019)
    # 3 × £1,000, one year, no uplift (price year = reporting year), no adjustments.
    assert (v.gross, v.net) == (D("3000.00"), D("3000.00"))
    assert v.effects.total == D(0)
    assert v.uplift == D(1)
    assert v.outcome_code == "jobs.local"


def test_sroi_adjustments_by_hand(tenant_set: MeasureSet) -> None:
    adjustments = Adjustments(deadweight=D("0.2"), displacement=D("0.1"), attribution=D("0.25"))
    v = value_commitment(Commitment("award-1", "J1", D(2), adjustments=adjustments), tenant_set, reporting_year=2019)
    # gross 2 × 1000 = 2000; deadweight removes 400 (→ 1600); displacement 160 (→ 1440); attribution 360 (→ 1080).
    assert v.gross == D("2000.00")
    assert (v.effects.deadweight, v.effects.displacement, v.effects.attribution) == (
        D("400.00"),
        D("160.00"),
        D("360.00"),
    )
    assert v.effects.drop_off == D("0.00")
    assert v.net == D("1080.00")
    assert v.gross - v.effects.total == v.net


def test_drop_off_over_three_years(tenant_set: MeasureSet) -> None:
    v = value_commitment(
        Commitment("award-1", "J1", D(1), years=3, adjustments=Adjustments(drop_off=D("0.2"))),
        tenant_set,
        reporting_year=2019,
    )
    # year 1 = 1000, year 2 = 1000 × 0.8 = 800, year 3 = 1000 × 0.8² = 640.
    assert [(y.year, y.gross, y.net) for y in v.by_year] == [
        (1, D("1000.00"), D("1000.00")),
        (2, D("1000.00"), D("800.00")),
        (3, D("1000.00"), D("640.00")),
    ]
    assert (v.gross, v.net, v.effects.drop_off) == (D("3000.00"), D("2440.00"), D("560.00"))


def test_all_adjustments_with_drop_off_on_the_wellby() -> None:
    adjustments = Adjustments(deadweight=D("0.2"), displacement=D("0.1"), attribution=D("0.25"), drop_off=D("0.1"))
    v = value_commitment(
        Commitment("award-9", "WELLBY", D(2), years=3, adjustments=adjustments),
        default_measure_set(),
        reporting_year=2019,
    )
    # year 1 gross = 2 × £13,000 = £26,000, × 3 years = £78,000.
    # Kept share = 0.8 × 0.9 × 0.75 = 0.54: year 1 net = £14,040; year 2 = £12,636; year 3 = £11,372.40.
    assert v.gross == D("78000.00")
    assert [y.net for y in v.by_year] == [D("14040.00"), D("12636.00"), D("11372.40")]
    assert v.net == D("38048.40")
    # 78,000 → 62,400 (deadweight) → 56,160 (displacement) → 42,120 (attribution) → 38,048.40 (drop-off).
    assert v.effects.deadweight == D("15600.00")
    assert v.effects.displacement == D("6240.00")
    assert v.effects.attribution == D("14040.00")
    assert v.effects.drop_off == D("4071.60")


def test_effects_reconcile_to_the_penny_when_values_round(tenant_set: MeasureSet) -> None:
    adjustments = Adjustments(
        deadweight=D("0.333"), displacement=D("0.077"), attribution=D("0.111"), drop_off=D("0.07")
    )
    v = value_commitment(
        Commitment("award-1", "S1", D("3.7"), years=4, adjustments=adjustments), tenant_set, reporting_year=2019
    )
    assert v.gross - v.effects.total == v.net
    assert all(x == x.quantize(D("0.01")) for x in (v.gross, v.net, v.effects.deadweight, v.effects.drop_off))


# --- price-year uplift -----------------------------------------------------------------------------------


def test_price_year_uplift_uses_the_bundled_gdp_deflator() -> None:
    index = gdp_deflator()
    assert (index.values[2019], index.values[2023], index.values[2024]) == (D("90.3"), D("106.9"), D("111.2"))
    v = value_commitment(Commitment("award-1", "WELLBY", D(1)), default_measure_set(), reporting_year=2023)
    # £13,000 × 106.9 / 90.3 = £15,389.8117... (BiGGAR Economics quote ≈ £15,400 in 2023 prices).
    assert v.uplift == D("106.9") / D("90.3")
    assert v.gross == D("15389.81")
    assert v.unit_value == D("15389.81")
    assert (v.price_year, v.reporting_year) == (2019, 2023)


def test_a_caller_can_pass_its_own_price_index(tenant_set: MeasureSet) -> None:
    own = PriceIndex("tenant CPI", {2019: D(100), 2024: D(125)})
    v = value_commitment(Commitment("award-1", "J1", D(2)), tenant_set, reporting_year=2024, price_index=own)
    assert v.gross == D("2500.00")


def test_an_uncovered_reporting_year_is_refused(tenant_set: MeasureSet) -> None:
    with pytest.raises(SocialValueError) as caught:
        value_commitment(Commitment("award-1", "J1", D(1)), tenant_set, reporting_year=2031)
    assert (caught.value.field, caught.value.rule) == ("reporting_year", "year_not_in_index")


def test_an_uncovered_measure_price_year_is_refused() -> None:
    old = parse_measure_set(_document(themes=[_theme_with(_measure("OLD", year=1995))], overlaps=[]))
    with pytest.raises(SocialValueError) as caught:
        value_commitment(Commitment("award-1", "OLD", D(1)), old, reporting_year=2024)
    assert (caught.value.field, caught.value.rule) == ("measure_code", "year_not_in_index")
    assert "1995" in caught.value.message


def test_a_bad_price_index_is_refused() -> None:
    with pytest.raises(SocialValueError) as caught:
        PriceIndex("broken", {2019: D(0)})
    assert caught.value.rule == "positive"


# --- double-counting guard -------------------------------------------------------------------------------


def test_two_measures_in_the_same_outcome_for_one_award_are_refused(tenant_set: MeasureSet) -> None:
    with pytest.raises(DoubleCountingError) as caught:
        value_commitments(
            [Commitment("award-1", "J1", D(1)), Commitment("award-1", "S1", D(1)), Commitment("award-1", "J2", D(1))],
            tenant_set,
            reporting_year=2019,
        )
    error = caught.value
    assert (error.measures, error.reason, error.award_id) == (("J1", "J2"), "same_outcome", "award-1")
    assert error.loc == ("commitments", 2, "measure_code")
    assert "'J1'" in error.message and "'J2'" in error.message and "jobs.local" in error.message


def test_declared_overlapping_measures_are_refused(tenant_set: MeasureSet) -> None:
    with pytest.raises(DoubleCountingError) as caught:
        value_commitments(
            [Commitment("award-1", "S1", D(1)), Commitment("award-1", "H1", D(1))], tenant_set, reporting_year=2019
        )
    assert (caught.value.measures, caught.value.reason) == (("S1", "H1"), "declared_overlap")


def test_the_same_measure_twice_for_one_award_and_period_is_refused(tenant_set: MeasureSet) -> None:
    with pytest.raises(DoubleCountingError) as caught:
        value_actuals(
            [Actual("award-1", "S1", D(1), "2024-25"), Actual("award-1", "S1", D(2), "2024-25")],
            tenant_set,
            reporting_year=2019,
        )
    assert (caught.value.reason, caught.value.period, caught.value.measures) == (
        "same_measure",
        "2024-25",
        ("S1", "S1"),
    )


def test_the_guard_leaves_other_awards_and_other_periods_alone(tenant_set: MeasureSet) -> None:
    commitments = value_commitments(
        [Commitment("award-1", "J1", D(1)), Commitment("award-2", "J2", D(1)), Commitment("award-1", "S1", D(1))],
        tenant_set,
        reporting_year=2019,
    )
    assert commitments.gross == D("2250.00")
    actuals = value_actuals(
        [Actual("award-1", "J1", D(1), "2024-25"), Actual("award-1", "J1", D(1), "2025-26")],
        tenant_set,
        reporting_year=2019,
    )
    assert actuals.net == D("2000.00")


def test_a_new_commitment_is_checked_against_stored_ones(tenant_set: MeasureSet) -> None:
    from impact.social_value.engine import check_commitments

    with pytest.raises(DoubleCountingError) as caught:
        check_commitments([Commitment("award-1", "J2", D(1))], tenant_set, existing=[Commitment("award-1", "J1", D(5))])
    assert caught.value.measures == ("J1", "J2")
    assert caught.value.loc == ("commitments", 0, "measure_code")


# --- totals, comparison and line validation --------------------------------------------------------------


def test_totals_add_up_the_rounded_lines(tenant_set: MeasureSet) -> None:
    summary = value_commitments(
        [
            Commitment("award-1", "J1", D(2), adjustments=Adjustments(deadweight=D("0.5"))),
            Commitment("award-2", "S1", D(4), years=2, adjustments=Adjustments(drop_off=D("0.5"))),
        ],
        tenant_set,
        reporting_year=2019,
    )
    # award-1: gross 2000, deadweight 1000, net 1000. award-2: gross 2 years × 1000 = 2000, net 1000 + 500.
    assert (summary.gross, summary.net) == (D("4000.00"), D("2500.00"))
    assert (summary.effects.deadweight, summary.effects.drop_off) == (D("1000.00"), D("500.00"))


def test_commitments_vs_actuals_per_award() -> None:
    delivery = compare_delivery(
        [
            Commitment("award-1", "J1", D(10), years=2),
            Commitment("award-1", "S1", D(4)),
            Commitment("award-2", "J1", D(3)),
        ],
        [
            Actual("award-1", "J1", D(6), "2024-25"),
            Actual("award-1", "J1", D(9), "2025-26"),
            Actual("award-2", "J1", D(4), "2024-25"),
            Actual("award-2", "H1", D(1), "2024-25"),
        ],
    )
    by_award = {a.award_id: {m.measure_code: m for m in a.measures} for a in delivery}
    assert [a.award_id for a in delivery] == ["award-1", "award-2"]
    j1 = by_award["award-1"]["J1"]
    assert (j1.committed, j1.delivered, j1.delivered_share) == (D(20), D(15), D("0.7500"))
    assert by_award["award-1"]["S1"].delivered_share == D(0)
    assert by_award["award-2"]["J1"].delivered_share == D("1.3333")  # over-delivered
    assert by_award["award-2"]["H1"].delivered_share is None  # delivered without a commitment


@pytest.mark.parametrize(
    ("commitment", "field", "rule"),
    [
        (Commitment("a", "J1", D(0)), "commitments[0].quantity", "positive"),
        (Commitment("a", "J1", 2.5), "commitments[0].quantity", "not_decimal"),  # type: ignore[arg-type]
        (Commitment("a", "J1", D(1), years=0), "commitments[0].years", "years_range"),
        (Commitment("", "J1", D(1)), "commitments[0].award_id", "required"),
        (Commitment("a", "NOPE", D(1)), "commitments[0].measure_code", "unknown_measure"),
        (
            Commitment("a", "J1", D(1), adjustments=Adjustments(deadweight=D("1.5"))),
            "commitments[0].adjustments.deadweight",
            "share_range",
        ),
        (
            Commitment("a", "J1", D(1), adjustments=Adjustments(drop_off=D("-0.1"))),
            "commitments[0].adjustments.drop_off",
            "share_range",
        ),
    ],
)
def test_invalid_commitments_name_the_field_and_rule(
    tenant_set: MeasureSet, commitment: Commitment, field: str, rule: str
) -> None:
    with pytest.raises(SocialValueError) as caught:
        value_commitments([commitment], tenant_set, reporting_year=2019)
    assert (caught.value.field, caught.value.rule) == (field, rule)


def test_invalid_actuals_and_reporting_years(tenant_set: MeasureSet) -> None:
    with pytest.raises(SocialValueError) as negative:
        value_actuals([Actual("a", "J1", D(-1), "2024-25")], tenant_set, reporting_year=2019)
    assert (negative.value.field, negative.value.rule) == ("actuals[0].quantity", "non_negative")
    with pytest.raises(SocialValueError) as no_period:
        value_actuals([Actual("a", "J1", D(1), " ")], tenant_set, reporting_year=2019)
    assert (no_period.value.field, no_period.value.rule) == ("actuals[0].period", "required")
    with pytest.raises(SocialValueError) as year:
        value_actuals([], tenant_set, reporting_year=1700)
    assert (year.value.field, year.value.rule) == ("reporting_year", "year_range")


# --- measure-set documents -------------------------------------------------------------------------------


def _theme_with(*measures: dict[str, Any], outcome: str = "o1") -> dict[str, Any]:
    return {
        "code": "t1",
        "name": "Theme",
        "outcomes": [{"code": outcome, "name": "Outcome", "measures": list(measures)}],
    }


def _errors(document: dict[str, Any] | str) -> list[dict[str, Any]]:
    with pytest.raises(MeasureSetError) as caught:
        parse_measure_set(document)
    return caught.value.errors


def test_measure_codes_must_be_unique_and_each_measure_in_exactly_one_outcome() -> None:
    two_outcomes = _document(
        themes=[
            {
                "code": "t1",
                "name": "Theme",
                "outcomes": [
                    {"code": "o1", "name": "One", "measures": [_measure("M1")]},
                    {"code": "o2", "name": "Two", "measures": [_measure("M1", "5")]},
                ],
            }
        ],
        overlaps=[],
    )
    [error] = _errors(two_outcomes)
    assert error["loc"] == ["themes"]
    assert "'M1' appears in outcomes 'o1' and 'o2'" in error["msg"]

    [twice] = _errors(_document(themes=[_theme_with(_measure("M1"), _measure("M1"))], overlaps=[]))
    assert "twice in outcome 'o1'" in twice["msg"]


@pytest.mark.parametrize(
    ("measure", "loc_tail", "type_"),
    [
        (_measure("M1", "0"), "proxy_value", "greater_than"),
        (_measure("M1", "-5"), "proxy_value", "greater_than"),
        (_measure("M1", year=1800), "price_year", "greater_than_equal"),
        (_measure("M1", year=2200), "price_year", "less_than_equal"),
        (_measure("M1", "not money"), "proxy_value", "decimal_parsing"),
        ({**_measure("M1"), "colour": "blue"}, "colour", "extra_forbidden"),
        ({k: v for k, v in _measure("M1").items() if k != "licence"}, "licence", "missing"),
    ],
)
def test_measure_values_are_validated(measure: dict[str, Any], loc_tail: str, type_: str) -> None:
    [error] = _errors(_document(themes=[_theme_with(measure)], overlaps=[]))
    assert error["loc"][-1] == loc_tail
    assert error["type"] == type_


def test_sensitivity_range_must_bracket_the_value() -> None:
    [error] = _errors(_document(themes=[_theme_with(_measure("M1", "100", low_value="150"))], overlaps=[]))
    assert "low_value is above proxy_value" in error["msg"]


def test_other_document_rules() -> None:
    [unknown] = _errors(_document(overlaps=[{"measures": ["J1", "ZZ"]}]))
    assert "ZZ" in unknown["msg"]
    [dup_outcome] = _errors(
        _document(themes=[_theme_with(_measure("A")), {**_theme_with(_measure("B")), "code": "t2"}], overlaps=[])
    )
    assert "outcome code 'o1' is used more than once" in dup_outcome["msg"]
    [no_measures] = _errors(_document(themes=[_theme_with()], overlaps=[]))
    assert no_measures["type"] == "too_short"
    [currency] = _errors(_document(currency="EUR"))
    assert currency["loc"] == ["currency"]
    [not_json] = _errors("{not json")
    assert not_json["type"] == "json_invalid"


def test_a_valid_uploaded_document_round_trips_from_json() -> None:
    measure_set = parse_measure_set(json.dumps(_document()))
    assert len(measure_set) == 4
    assert measure_set["H1"].outcome_code == "health.wellbeing" and measure_set["H1"].theme_code == "health"
    assert measure_set.conflict("S1", "H1") == "declared_overlap"
    assert measure_set.conflict("J1", "J2") == "same_outcome"
    assert measure_set.conflict("J1", "H1") is None


# --- the open default set --------------------------------------------------------------------------------


def test_the_default_set_loads_and_contains_the_hmt_wellby() -> None:
    measure_set = default_measure_set()
    wellby = measure_set["WELLBY"].measure
    assert (wellby.proxy_value, wellby.low_value, wellby.high_value) == (D(13000), D(10000), D(16000))
    assert wellby.price_year == 2019
    assert "Open Government Licence" in wellby.licence
    assert wellby.source is not None and "Wellbeing guidance for appraisal" in wellby.source
    assert measure_set.conflict("WELLBY", "WELLBY-0.1") == "same_outcome"
    assert all(m.measure.licence for m in measure_set)
    assert "No National TOMs" in measure_set.document.licence
