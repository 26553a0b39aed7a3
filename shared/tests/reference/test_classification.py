import pytest
from localwealth_shared.reference.classification import (
    ClassificationError,
    cpv_is_within,
    cpv_level,
    cpv_match_depth,
    cpv_significant_prefix,
    normalise_cpv,
    normalise_sic,
    search_cpv,
    search_sic,
    sic_description,
)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("47110", ("47110", False)),
        (" 88100 ", ("88100", False)),
        ("01110", ("01110", False)),
        ("99999", ("99999", False)),  # Companies House "Dormant Company"
        ("47.11/0", ("47110", False)),
        ("46341 - Wholesale of fruit and vegetable juices", ("46341", False)),
        ("4711", ("47110", True)),  # SIC 2007 class with a single subclass
        ("5610", ("5610", True)),  # SIC 2007 class with several subclasses: kept, flagged
        ("2743", ("2743", True)),  # SIC 2003 code seen in Companies House data
        ("2651", ("2651", True)),  # SIC 2003 cement, not SIC 2007 instruments: never converted
    ],
)
def test_normalise_sic(code: str, expected: tuple[str, bool]) -> None:
    assert normalise_sic(code) == expected


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("12345", "sic.unknown"),
        ("4790", "sic.unknown"),
        ("47", "sic.format"),
        ("471100", "sic.format"),
        ("47a10", "sic.format"),
        ("", "sic.format"),
        ("Retail", "sic.format"),
    ],
)
def test_bad_sic_codes(code: str, rule: str) -> None:
    with pytest.raises(ClassificationError) as caught:
        normalise_sic(code)
    assert caught.value.rule == rule


def test_sic_description() -> None:
    assert (
        sic_description("47110")
        == "Retail sale in non-specialised stores with food, beverages or tobacco predominating"
    )
    assert sic_description("2743") == "Lead, zinc and tin production"
    assert sic_description("00000") is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("85310000", "85310000"),
        ("85310000-5", "85310000"),
        (" 03000000-1 ", "03000000"),
        ("45233120", "45233120"),
    ],
)
def test_normalise_cpv(code: str, expected: str) -> None:
    assert normalise_cpv(code) == expected


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("99999999", "cpv.unknown"),
        ("85319999-1", "cpv.unknown"),
        ("8531", "cpv.format"),
        ("853100000", "cpv.format"),
        ("85310000-55", "cpv.format"),
        ("85310000-X", "cpv.format"),
        ("", "cpv.format"),
    ],
)
def test_bad_cpv_codes(code: str, rule: str) -> None:
    with pytest.raises(ClassificationError) as caught:
        normalise_cpv(code)
    assert caught.value.rule == rule


@pytest.mark.parametrize(
    ("code", "prefix", "level"),
    [
        ("85000000", "85", "division"),
        ("30000000", "30", "division"),
        ("03000000", "03", "division"),
        ("85300000", "853", "group"),
        ("85310000", "8531", "class"),
        ("85311000", "85311", "category"),
        ("85311100", "85311100", "subcategory"),
        ("45233120", "45233120", "subcategory"),
        ("85310000-5", "8531", "class"),
    ],
)
def test_cpv_significant_prefix_and_level(code: str, prefix: str, level: str) -> None:
    assert cpv_significant_prefix(code) == prefix
    assert cpv_level(code) == level


@pytest.mark.parametrize(
    ("supplier", "tender", "depth"),
    [
        ("85000000", "85311000", 2),  # division covers the tender
        ("85311000", "85000000", 2),  # symmetric
        ("85300000", "85311000", 3),
        ("85312000", "85311000", 4),  # siblings share the class 8531
        ("85311000", "85311000", 5),
        ("85310000", "85310000", 4),  # identical codes match at their own level
        ("45233120", "45233120", 8),
        ("45233120", "45233110", 5),  # differing below the category rounds down to it
        ("03000000", "09000000", 0),  # same first digit is not the same division
        ("85310000", "45233120", 0),
    ],
)
def test_cpv_match_depth(supplier: str, tender: str, depth: int) -> None:
    assert cpv_match_depth(supplier, tender) == depth


def test_cpv_is_within() -> None:
    assert cpv_is_within("85311000", "85000000")
    assert cpv_is_within("45233120", "45233100")
    assert cpv_is_within("85310000", "85310000")
    assert not cpv_is_within("85000000", "85311000")
    assert not cpv_is_within("09000000", "03000000")


def test_search_cpv_by_code_prefix() -> None:
    results = search_cpv("8531", limit=3)
    assert [result["code"] for result in results] == ["85310000", "85311000", "85311100"]
    assert results[0] == {
        "code": "85310000",
        "description": "Social work services",
        "level": "class",
        "parent": "85300000",
    }
    assert search_cpv("85310000-5")[0]["code"] == "85310000"


def test_search_cpv_by_words() -> None:
    results = search_cpv("SOCIAL work", limit=50)
    assert results[0]["code"] == "85000000"  # "Health and social work services": phrase match, broadest first
    assert all("social" in str(r["description"]).lower() and "work" in str(r["description"]).lower() for r in results)
    assert "85310000" in {r["code"] for r in results}
    assert search_cpv("social zzzz") == []


def test_search_respects_limit_and_empty_query() -> None:
    assert len(search_cpv("services", limit=7)) == 7
    assert search_cpv("", limit=7) == []
    assert search_cpv("services", limit=0) == []


def test_search_sic() -> None:
    assert [r["code"] for r in search_sic("4711")] == ["4711", "47110"]
    results = search_sic("retail sale bread")
    assert results and all("bread" in str(r["description"]).lower() for r in results)
    assert search_sic("Dormant")[0]["code"] == "99999"
