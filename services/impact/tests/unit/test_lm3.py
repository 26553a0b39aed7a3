"""LM3 (SPEC §7.2): the worked example, the bounds, proxies as marked estimates, and every validation rule."""

from decimal import Decimal

import pytest
from impact.lm3.calculation import (
    DEFAULT_PROXIES,
    STAFF_RESPEND,
    SUPPLIER_RESPEND,
    LM3Input,
    LM3ValidationError,
    Proxy,
    StaffWages,
    SupplierSpend,
    calculate_lm3,
)

D = Decimal


def test_worked_example_r1_100_r2_40_r3_10_gives_1_5() -> None:
    result = calculate_lm3(
        LM3Input(r1=D(100), suppliers=(SupplierSpend("Local Co-op", D(40), True, D("0.25")),)),
    )
    assert (result.r1, result.r2, result.r3) == (D("100.00"), D("40.00"), D("10.00"))
    assert result.lm3 == D("1.50")
    assert result.estimates == ()
    assert result.coverage.surveyed_share == D(1)


def test_worked_example_split_between_a_supplier_and_local_staff() -> None:
    # R2 = 30 (supplier) + 20 × 0.5 (local wages) = 40; R3 = 30 × 0.2 + 10 × 0.4 = 6 + 4 = 10.
    result = calculate_lm3(
        LM3Input(
            r1=D(100),
            suppliers=(SupplierSpend("Bakery", D(30), True, D("0.2")),),
            staff=StaffWages(total=D(20), local_share=D("0.5"), local_respend_share=D("0.4")),
        )
    )
    assert (result.r2, result.r3, result.lm3) == (D("40.00"), D("10.00"), D("1.50"))
    assert result.staff is not None
    assert (result.staff.r2, result.staff.r3, result.staff.estimated) == (D("10.00"), D("4.00"), False)


def test_nothing_local_gives_exactly_one() -> None:
    result = calculate_lm3(
        LM3Input(
            suppliers=(
                SupplierSpend("National plc", D("5000.00"), False),
                SupplierSpend("Offshore Ltd", D(250), False),
            ),
            staff=StaffWages(total=D(1000), local_share=D(0)),
        )
    )
    assert result.r1 == D("6250.00")
    assert (result.r2, result.r3) == (D("0.00"), D("0.00"))
    assert result.lm3_exact == D(1)
    assert result.lm3 == D("1.00")
    assert result.coverage.surveyed_share is None and result.coverage.estimated_share is None


def test_everything_local_and_fully_re_spent_gives_exactly_three() -> None:
    result = calculate_lm3(
        LM3Input(
            suppliers=(SupplierSpend("Local Builders", D(60), True, D(1)),),
            staff=StaffWages(total=D(40), local_share=D(1), local_respend_share=D(1)),
        )
    )
    assert (result.r1, result.r2, result.r3) == (D("100.00"), D("100.00"), D("100.00"))
    assert result.lm3_exact == D(3)


def test_r1_defaults_to_supplier_spend_plus_wages_and_says_so() -> None:
    result = calculate_lm3(
        LM3Input(
            suppliers=(SupplierSpend("A", D("70.00"), True, D("0.5")), SupplierSpend("B", D("10.00"), False)),
            staff=StaffWages(total=D("20.00"), local_share=D("0.25"), local_respend_share=D(0)),
        )
    )
    # R1 = 70 + 10 + 20 = 100; R2 = 70 + 5 = 75; R3 = 35; LM3 = 210 / 100.
    assert (result.r1, result.r2, result.r3, result.lm3) == (D("100.00"), D("75.00"), D("35.00"), D("2.10"))
    assert result.assumptions[0] == "R1 was not given: taken as supplier spend plus wages, £100.00."


def test_missing_surveys_use_the_proxies_and_are_marked_as_estimates() -> None:
    result = calculate_lm3(
        LM3Input(
            r1=D(1000),
            suppliers=(SupplierSpend("Local Cafe", D(400), True), SupplierSpend("Far Away Ltd", D(100), False)),
            staff=StaffWages(total=D(500), local_share=D("0.6")),
        )
    )
    supplier_share = DEFAULT_PROXIES[SUPPLIER_RESPEND].share
    staff_share = DEFAULT_PROXIES[STAFF_RESPEND].share
    expected_r3 = D(400) * supplier_share + D(300) * staff_share
    assert result.r3_exact == expected_r3

    by_figure = {e.figure: e for e in result.estimates}
    assert set(by_figure) == {"suppliers[0].local_respend_share", "staff.local_respend_share"}
    assert by_figure["suppliers[0].local_respend_share"].proxy == SUPPLIER_RESPEND
    assert by_figure["suppliers[0].local_respend_share"].r3 == (D(400) * supplier_share).quantize(D("0.01"))
    assert by_figure["staff.local_respend_share"].share == staff_share
    assert all(e.source for e in result.estimates)

    cafe, far_away = result.by_supplier
    assert cafe.estimated and cafe.local_respend_share == supplier_share
    assert not far_away.estimated and far_away.r2 == D(0) and far_away.local_respend_share is None
    assert result.staff is not None and result.staff.estimated

    notes = [a for a in result.assumptions if a.startswith("ESTIMATE")]
    assert len(notes) == 2
    assert any("Local Cafe" in n and "£400.00" in n for n in notes)
    assert any("staff" in n and "£300.00" in n for n in notes)
    assert result.coverage.estimated_share == D(1) and result.coverage.surveyed_share == D(0)
    assert set(result.proxies_used) == {SUPPLIER_RESPEND, STAFF_RESPEND}


def test_survey_values_override_the_proxies() -> None:
    result = calculate_lm3(
        LM3Input(
            suppliers=(SupplierSpend("Surveyed", D(100), True, D("0.9")),),
            staff=StaffWages(total=D(100), local_share=D(1), local_respend_share=D("0.1")),
        )
    )
    assert result.r3_exact == D(90) + D(10)
    assert result.estimates == ()
    assert not any(a.startswith("ESTIMATE") for a in result.assumptions)
    assert result.coverage.surveyed_share == D(1)
    assert result.proxies_used == {}


def test_coverage_splits_r3_between_surveys_and_proxies() -> None:
    result = calculate_lm3(
        LM3Input(
            suppliers=(SupplierSpend("Surveyed", D(100), True, D("0.2")), SupplierSpend("Guessed", D(40), True)),
        ),
        proxies={SUPPLIER_RESPEND: Proxy(D("0.25"), "test proxy")},
    )
    # surveyed R3 = 20, estimated R3 = 10: two thirds from surveys.
    assert (result.coverage.surveyed_r3, result.coverage.estimated_r3) == (D("20.00"), D("10.00"))
    assert result.coverage.surveyed_share == D("0.6667")
    assert result.coverage.estimated_share == D("0.3333")


def test_a_tenant_can_override_a_proxy() -> None:
    own = Proxy(D("0.6"), "Our 2024 supplier survey, median answer")
    result = calculate_lm3(LM3Input(suppliers=(SupplierSpend("X", D(100), True),)), proxies={SUPPLIER_RESPEND: own})
    assert result.r3 == D("60.00")
    assert result.estimates[0].source == own.source
    assert own.source in result.assumptions[-1]
    # The module-level table is untouched.
    assert DEFAULT_PROXIES[SUPPLIER_RESPEND].share != own.share


def test_display_values_are_rounded_but_exact_values_kept() -> None:
    result = calculate_lm3(LM3Input(r1=D(3), suppliers=(SupplierSpend("X", D(1), True, D("0.333")),)))
    assert result.lm3_exact == (D(3) + D(1) + D("0.333")) / D(3)
    assert result.lm3 == D("1.44")
    assert result.r3 == D("0.33") and result.r3_exact == D("0.333")


def test_a_survey_share_for_a_non_local_supplier_is_ignored_with_a_note() -> None:
    result = calculate_lm3(LM3Input(suppliers=(SupplierSpend("Far", D(100), False, D("0.5")),)))
    assert result.r3 == D(0)
    assert any("Far" in a and "ignored" in a for a in result.assumptions)


@pytest.mark.parametrize(
    ("data", "proxies", "field", "rule"),
    [
        (LM3Input(suppliers=(SupplierSpend("A", D(-1), True),)), None, "suppliers[0].amount", "non_negative"),
        (
            LM3Input(suppliers=(SupplierSpend("A", D(1), True), SupplierSpend("B", D(1), True, D("1.01")))),
            None,
            "suppliers[1].local_respend_share",
            "share_range",
        ),
        (
            LM3Input(suppliers=(SupplierSpend("A", D(1), True, D("-0.1")),)),
            None,
            "suppliers[0].local_respend_share",
            "share_range",
        ),
        (LM3Input(staff=StaffWages(D(-5), D("0.5"))), None, "staff.total", "non_negative"),
        (LM3Input(staff=StaffWages(D(5), D("1.5"))), None, "staff.local_share", "share_range"),
        (LM3Input(staff=StaffWages(D(5), D("0.5"), D(2))), None, "staff.local_respend_share", "share_range"),
        (LM3Input(r1=D(-10), suppliers=(SupplierSpend("A", D(1), False),)), None, "r1", "non_negative"),
        (LM3Input(r1=D(50), suppliers=(SupplierSpend("A", D(60), True, D(0)),)), None, "r1", "r2_exceeds_r1"),
        (LM3Input(r1=D(0)), None, "r1", "positive"),
        (LM3Input(suppliers=(SupplierSpend("A", D(0), True),)), None, "r1", "positive"),
        (LM3Input(), None, "r1", "positive"),
        (LM3Input(suppliers=(SupplierSpend("A", 1.5, True),)), None, "suppliers[0].amount", "not_decimal"),  # type: ignore[arg-type]
        (LM3Input(suppliers=(SupplierSpend("A", D("NaN"), True),)), None, "suppliers[0].amount", "finite"),
        (LM3Input(r1=D(1)), {"made_up": Proxy(D("0.1"), "x")}, "proxies.made_up", "unknown_proxy"),
        (
            LM3Input(r1=D(1)),
            {SUPPLIER_RESPEND: Proxy(D("1.2"), "x")},
            f"proxies.{SUPPLIER_RESPEND}.share",
            "share_range",
        ),
    ],
)
def test_every_validation_rule_names_the_field_and_the_rule(
    data: LM3Input, proxies: dict[str, Proxy] | None, field: str, rule: str
) -> None:
    with pytest.raises(LM3ValidationError) as caught:
        calculate_lm3(data, proxies)
    assert (caught.value.field, caught.value.rule) == (field, rule)
    assert caught.value.message


def test_the_error_carries_a_loc_for_a_problem_document() -> None:
    with pytest.raises(LM3ValidationError) as caught:
        calculate_lm3(LM3Input(suppliers=(SupplierSpend("A", D(1), True), SupplierSpend("B", D(-2), True))))
    assert caught.value.loc == ("suppliers", 1, "amount")
    assert str(caught.value).startswith("suppliers[1].amount: ")
