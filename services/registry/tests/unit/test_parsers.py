"""Import parsers: Co-operatives UK CSV, the generic CSV and HSDS JSON (format-level work only)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from registry.imports.parsers import PARSERS, coops_uk, generic_csv, hsds_json
from registry.imports.parsers.common import ImportFormatError, ParsedRow, decode_text

COOPS_UK_FILE = Path("/work/shared/data/samples/coops-uk/coops_uk_open_data_standard_2023-03.csv")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "imports.md"

COOPS_UK_HEADER = (
    "Identifier,Name,Description,Organisational Structure,Primary Activity,Activities,Street Address,"
    "Locality,Region,Postcode,Country ID,Territory ID,Website,Phone,Email,Twitter,Facebook,"
    "Companies House Number,Qualifiers,Membership Type,Latitude,Longitude,Geo Container,"
    "Geo Container Latitude,Geo Container Longitude,Sector,SIC Section,SIC Code,Ownership Classification,"
    "Legal Form"
)


def coops_uk_csv(*rows: dict[str, str]) -> bytes:
    columns = COOPS_UK_HEADER.split(",")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in columns})
    return buffer.getvalue().encode("utf-8")


def only(rows: list[ParsedRow]) -> ParsedRow:
    assert len(rows) == 1
    return rows[0]


# ------------------------------------------------------------------------------------ Co-operatives UK


@pytest.fixture(scope="module")
def real_coops_uk_rows() -> tuple[list[ParsedRow], list[dict[str, str]]]:
    if not COOPS_UK_FILE.exists():
        pytest.skip("Co-operatives UK sample file not present")
    data = COOPS_UK_FILE.read_bytes()
    raw = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    return list(coops_uk.parse(data)), raw


def test_real_coops_uk_file_parses_every_row(real_coops_uk_rows: tuple[list[ParsedRow], list[dict]]) -> None:
    rows, raw = real_coops_uk_rows
    assert len(rows) == 7272
    assert coops_uk.count_rows(COOPS_UK_FILE.read_bytes()) == 7272
    assert (rows[0].row, rows[-1].row) == (2, 7273)
    assert all(row.source_key == f"coops-uk:{record['Identifier']}" for row, record in zip(rows, raw, strict=True))


def test_real_coops_uk_first_row_is_the_co_operative_group(
    real_coops_uk_rows: tuple[list[ParsedRow], list[dict]],
) -> None:
    first = real_coops_uk_rows[0][0]
    assert first.errors == []
    assert first.source_key == "coops-uk:R000001"
    organisation = first.organisation
    assert organisation is not None
    assert organisation["name"] == "The Co-operative Group"
    assert organisation["legal_form"] == "registered_society_cooperative"
    assert organisation["ownership"] == ["consumer_cooperative"]
    assert organisation["sic_codes"] == ["47110"]
    assert organisation["website"] == "http://www.co-operative.coop"
    assert organisation["sites"] == [
        {
            "name": None,
            "address": "1 Angel Square, Manchester",  # Locality and Region are both "Manchester"
            "postcode": "M60 0AG",
            "lat": 53.488061,
            "lon": -2.237449,
            "is_registered_office": True,
            "is_operating_site": True,
        }
    ]
    assert "identifiers" not in organisation  # no Companies House Number in the file for societies


def test_real_coops_uk_rows_with_errors(real_coops_uk_rows: tuple[list[ParsedRow], list[dict]]) -> None:
    rows, _ = real_coops_uk_rows
    # Every row has a name, so none is rejected. Exactly one carries a warning: R015180, The Bicycle
    # Co-operative, is a Jersey company (JE3 postcode) whose "Companies House Number" 119598 is a Jersey
    # registry number, so it is not imported as GB-COH.
    assert sum(row.organisation is None for row in rows) == 0
    with_errors = [row for row in rows if row.errors]
    assert len(with_errors) == 1
    assert with_errors[0].source_key == "coops-uk:R015180"
    assert [error.field for error in with_errors[0].errors] == ["Companies House Number"]


def test_real_coops_uk_every_legal_form_maps(real_coops_uk_rows: tuple[list[ParsedRow], list[dict]]) -> None:
    rows, raw = real_coops_uk_rows
    for row, record in zip(rows, raw, strict=True):
        assert row.organisation is not None
        assert ("legal_form" in row.organisation) == bool(record["Legal Form"].strip()), record["Legal Form"]
    assert not any(error.field == "Legal Form" for row in rows for error in row.errors)


def test_real_coops_uk_multi_line_address_is_joined(
    real_coops_uk_rows: tuple[list[ParsedRow], list[dict]],
) -> None:
    rows, _ = real_coops_uk_rows
    by_key = {row.source_key: row.organisation for row in rows}
    central_england = by_key["coops-uk:R000003"]
    assert central_england is not None
    assert central_england["sites"][0]["address"] == "Central House, Hermes Road, Lichfield, Staffordshire"
    assert not any("\n" in (site["address"] or "") for o in by_key.values() if o for site in o.get("sites", []))


def test_real_coops_uk_identifiers_and_ownership(
    real_coops_uk_rows: tuple[list[ParsedRow], list[dict]],
) -> None:
    rows, _ = real_coops_uk_rows
    organisations = [row.organisation for row in rows if row.organisation]
    schemes = [identifier["scheme"] for o in organisations for identifier in o.get("identifiers", [])]
    assert len(schemes) == 914 and set(schemes) == {"GB-COH"}  # 915 filled minus the Jersey number
    overlays = [overlay for o in organisations for overlay in o.get("ownership", [])]
    assert overlays.count("tenant_owned") == 530
    assert overlays.count("community_owned") == 1709
    assert overlays.count("employee_owned_trust") == 57
    assert len(overlays) == 3134 + 1709 + 530 + 415 + 394 + 57  # Enterprises/Self-employed/Co-operatives: none


def test_coops_uk_row_without_name_is_rejected() -> None:
    data = coops_uk_csv({"Identifier": "R1", "Name": "  "}, {"Identifier": "R2", "Name": "Fine Co-op"})
    rejected, kept = list(coops_uk.parse(data))
    assert rejected.organisation is None
    assert [(e.row, e.field) for e in rejected.errors] == [(2, "Name")]
    assert rejected.source_key == "coops-uk:R1"
    assert kept.organisation == {"name": "Fine Co-op"}
    assert kept.row == 3


def test_coops_uk_values_are_tidied() -> None:
    data = coops_uk_csv(
        {
            "Identifier": "R9",
            "Name": "Glasgow\nBike Co-op",
            "Street Address": "Unit 2\n  10 Clyde Street  \n",
            "Locality": "Glasgow",
            "Region": "Glasgow, City of",
            "Postcode": "G1 1AA",
            "Website": "www.bikes.coop",
            "Email": "mailto:hello@bikes.coop",
            "SIC Code": "111",
            "Ownership Classification": "Workers",
            "Companies House Number": "sc 123456",
            "Legal Form": "Company",
            "Geo Container Latitude": "55.85",
            "Geo Container Longitude": "-4.25",
        }
    )
    organisation = only(list(coops_uk.parse(data))).organisation
    assert organisation is not None
    assert organisation["name"] == "Glasgow Bike Co-op"
    assert organisation["sites"][0]["address"] == "Unit 2, 10 Clyde Street, Glasgow, City of Glasgow"
    assert (organisation["sites"][0]["lat"], organisation["sites"][0]["lon"]) == (55.85, -4.25)
    assert organisation["website"] == "https://www.bikes.coop"
    assert organisation["email"] == "hello@bikes.coop"
    assert organisation["sic_codes"] == ["0111"]
    assert organisation["ownership"] == ["worker_cooperative"]
    assert organisation["identifiers"] == [{"scheme": "GB-COH", "id": "SC123456"}]


def test_coops_uk_bad_values_are_dropped_with_warnings() -> None:
    data = coops_uk_csv(
        {
            "Identifier": "R10",
            "Name": "Odd Co-op",
            "Postcode": "M1 1AA",
            "Geo Container Latitude": "north-ish",
            "Geo Container Longitude": "-2.2",
            "Ownership Classification": "Aliens",
        }
    )
    row = only(list(coops_uk.parse(data)))
    assert row.organisation is not None
    assert row.organisation["sites"][0]["lat"] is None
    assert "ownership" not in row.organisation
    assert {error.field for error in row.errors} == {"Geo Container Latitude", "Ownership Classification"}


@pytest.mark.parametrize(
    ("number", "legal_form", "postcode", "expected"),
    [
        ("03416658", "company_limited_by_shares", "M1 1AA", {"scheme": "GB-COH", "id": "03416658"}),
        ("119598", "company_limited_by_shares", "M1 1AA", {"scheme": "GB-COH", "id": "119598"}),
        ("RS007123", "registered_society_cooperative", "M1 1AA", {"scheme": "GB-COH", "id": "RS007123"}),
        ("IP029560", None, None, {"scheme": "GB-COH", "id": "IP029560"}),
        ("30187R", "registered_society_cooperative", "M1 1AA", {"scheme": "GB-MPR", "id": "30187R"}),
        ("2468RS", None, None, {"scheme": "GB-MPR", "id": "2468RS"}),
        ("12345", "registered_society_community_benefit", None, {"scheme": "GB-MPR", "id": "12345"}),
        ("119598", "company_limited_by_shares", "JE3 2WF", None),
        ("SC123456", None, "GY1 1AA", {"scheme": "GB-COH", "id": "SC123456"}),
    ],
)
def test_companies_house_number_routing(
    number: str, legal_form: str | None, postcode: str | None, expected: dict[str, str] | None
) -> None:
    assert coops_uk.route_company_number(number, legal_form=legal_form, postcode=postcode) == expected


def test_coops_uk_wrong_file_fails_the_job() -> None:
    with pytest.raises(ImportFormatError, match="Identifier"):
        list(coops_uk.parse(b"name,postcode\nA,M1 1AA\n"))


# ------------------------------------------------------------------------------------ generic CSV


def test_generic_csv_decodes_bom_and_latin_1_pounds() -> None:
    utf8_bom = '\ufeffName,Turnover\nAcme,"£1,234.56"\n'.encode()
    latin_1 = "Name,Turnover\nAcme,£1234.56\n".encode("latin-1")
    mojibake = "Name,Turnover\nAcme,Â£1234.56\n".encode()  # UTF-8 £ once mis-read as latin-1
    words = b"Name,Turnover\nAcme,GBP 1234.56\n"
    for data in (utf8_bom, latin_1, mojibake, words):
        row = only(list(generic_csv.parse(data)))
        assert row.organisation == {"name": "Acme", "turnover": {"amount": "1234.56", "currency": "GBP"}}, data


def test_decode_text_prefers_windows_1252_for_curly_quotes() -> None:
    assert decode_text("Name\n\u2018Quoted\u2019 Co-op\n".encode("cp1252")) == "Name\n\u2018Quoted\u2019 Co-op\n"
    assert decode_text("Name\nCaf\u00e9\n".encode("utf-16")) == "Name\nCaf\u00e9\n"


def test_generic_csv_bad_employees_rejects_the_row() -> None:
    data = b'name,employees,members\nGood,12,"1,200"\nBad,about ten,3\nNeighbour,4,\n'
    good, bad, neighbour = list(generic_csv.parse(data))
    assert good.organisation == {"name": "Good", "employees": 12, "members": 1200}
    assert bad.organisation is None
    assert [(error.row, error.field) for error in bad.errors] == [(3, "employees")]
    assert neighbour.organisation == {"name": "Neighbour", "employees": 4}


@pytest.mark.parametrize(
    "header",
    [
        "companies_house_number",
        "Companies House Number",
        "COMPANIES-HOUSE-NUMBER",
        "companieshousenumber",
        " Company Number ",
    ],
)
def test_generic_csv_header_matching(header: str) -> None:
    data = f"NAME,{header}\nAcme,03416658\n".encode()
    row = only(list(generic_csv.parse(data)))
    assert row.organisation == {"name": "Acme", "identifiers": [{"scheme": "GB-COH", "id": "03416658"}]}
    assert generic_csv.header_warnings(data) == []


def test_generic_csv_unknown_and_repeated_columns_are_warned_once() -> None:
    data = b"name,favourite colour,Name\nA,red,B\nC,blue,D\n"
    warnings = generic_csv.header_warnings(data)
    assert [(w.row, w.field) for w in warnings] == [(1, "favourite colour"), (1, "Name")]
    assert [row.organisation for row in generic_csv.parse(data)] == [{"name": "A"}, {"name": "C"}]


def test_generic_csv_without_name_column_fails_the_job() -> None:
    with pytest.raises(ImportFormatError, match="name"):
        list(generic_csv.parse(b"title,postcode\nA,M1 1AA\n"))


def test_generic_csv_full_row() -> None:
    data = (
        b"name;legal_form;charity_number;oscr_number;mutuals_register_number;identifiers;address;postcode;lat;lon;"
        b"operating_sites;sic_codes;cpv_codes;turnover;website;email;ownership\n"
        b'Acme;community_interest_company;NIC100019;012345;30187R;"GB-COH-03416658; GB-CHC-1234567";'
        b'"Unit 1\nHigh Street";m1 1aa;53.48;-2.24;"M2 2BB; M3 3CC";"1110, 47110";3000000-1 45000000;1234;'
        b'acme.coop;info@acme.coop;"Worker co-operative; COMMUNITY-OWNED"\n'
    )
    row = only(list(generic_csv.parse(data)))
    assert row.errors == []
    assert row.organisation == {
        "name": "Acme",
        "legal_form": "community_interest_company",
        "identifiers": [
            {"scheme": "GB-NIC", "id": "100019"},
            {"scheme": "GB-SC", "id": "SC012345"},
            {"scheme": "GB-MPR", "id": "30187R"},
            {"scheme": "GB-COH", "id": "03416658"},
            {"scheme": "GB-CHC", "id": "1234567"},
        ],
        "ownership": ["worker_cooperative", "community_owned"],
        "sites": [
            {
                "name": None,
                "address": "Unit 1, High Street",
                "postcode": "m1 1aa",
                "lat": 53.48,
                "lon": -2.24,
                "is_registered_office": True,
                "is_operating_site": True,
            },
            {
                "name": None,
                "address": None,
                "postcode": "M2 2BB",
                "lat": None,
                "lon": None,
                "is_registered_office": False,
                "is_operating_site": True,
            },
            {
                "name": None,
                "address": None,
                "postcode": "M3 3CC",
                "lat": None,
                "lon": None,
                "is_registered_office": False,
                "is_operating_site": True,
            },
        ],
        "sic_codes": ["1110", "47110"],
        "cpv_codes": ["03000000-1", "45000000"],
        "turnover": {"amount": "1234", "currency": "GBP"},
        "website": "https://acme.coop",
        "email": "info@acme.coop",
    }


@pytest.mark.parametrize(
    ("cells", "field"),
    [
        ("lat=53.4", "lon"),
        ("lat=53.4,lon=west", "lon"),
        ("lat=nan,lon=1", "lat"),
        ("turnover=£1.2m", "turnover"),
        ("members=-3", "members"),
        ("ownership=worker_cooperative;landlord", "ownership"),
        ("identifiers=03416658", "identifiers"),
        ("legal_form=Flibbertigibbet", "legal_form"),
        ("name=,employees=3", "name"),
    ],
)
def test_generic_csv_invalid_value_rejects_row_naming_the_field(cells: str, field: str) -> None:
    values = {"name": "Acme"} | dict(cell.split("=", 1) for cell in cells.split(","))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(values))
    writer.writeheader()
    writer.writerow(values)
    row = only(list(generic_csv.parse(buffer.getvalue().encode())))
    assert row.organisation is None
    assert [error.field for error in row.errors] == [field]


def test_generic_csv_row_numbers_and_count_follow_spreadsheet_rows() -> None:
    data = b'name,address\n"A","1 Road\nTown"\n,\n"B",x\n\n"C",y\n'
    rows = list(generic_csv.parse(data))
    assert [(row.row, row.organisation["name"]) for row in rows if row.organisation] == [
        (2, "A"),
        (4, "B"),
        (6, "C"),
    ]
    assert generic_csv.count_rows(data) == len(rows) == 3


def test_docs_example_csv_parses_cleanly() -> None:
    example = re.search(r"```csv\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.DOTALL)
    assert example is not None
    data = example.group(1).encode()
    rows = list(generic_csv.parse(data))
    assert generic_csv.header_warnings(data) == []
    assert [row.errors for row in rows] == [[], [], []]
    bakery, energy, youth = (row.organisation for row in rows)
    assert bakery is not None and energy is not None and youth is not None
    assert bakery["sites"][0]["address"] == "Unit 4, Mill Lane, Hebden Bridge"
    assert len(bakery["sites"]) == 3
    assert bakery["legal_form"] == "registered_society_cooperative"
    assert energy["legal_form"] == "registered_society_community_benefit"
    assert youth["legal_form"] == "company_limited_by_guarantee"
    assert youth["turnover"] == {"amount": "1450000", "currency": "GBP"}


# ------------------------------------------------------------------------------------ HSDS JSON

THIRD_PARTY_ORG = {
    "id": "org-1",
    "name": "Hillside Food Bank",
    "description": "Food parcels",
    "url": "hillsidefood.org.uk",
    "email": "hello@hillsidefood.org.uk",
    "legal_status": "Charitable Incorporated Organisation",
    "year_incorporated": 2015,
    "organization_identifiers": [
        {"identifier_scheme": "GB-CHC", "identifier_type": "charity", "identifier": "1161234"},
        {"identifier_type": "Companies House number", "identifier": "09876543"},
        {"identifier": "GB-MPR-30187R", "identifier_type": "other"},
        {"identifier_scheme": "local", "identifier_type": "council reference", "identifier": "FB-17"},
    ],
    "locations": [
        {"location_type": "virtual", "url": "https://hillsidefood.org.uk"},
        {
            "location_type": "postal",
            "name": "Office",
            "addresses": [{"address_1": "PO Box 5", "city": "Leeds", "postal_code": "LS1 1AA", "country": "GB"}],
        },
        {
            "location_type": "physical",
            "name": "Warehouse",
            "latitude": 53.8,
            "longitude": "-1.55",
            "addresses": [
                {"address_type": "postal", "address_1": "ignored", "postal_code": "LS9 9ZZ"},
                {
                    "address_type": "physical",
                    "address_1": "Unit 3",
                    "address_2": "Canal Yard",
                    "city": "Leeds",
                    "state_province": "West Yorkshire",
                    "postal_code": "LS10 1AB",
                },
            ],
        },
    ],
}


def test_hsds_third_party_organization_mapping() -> None:
    row = only(list(hsds_json.parse(json.dumps([THIRD_PARTY_ORG]).encode())))
    assert row.source_key == "hsds:org-1"
    assert [(error.row, error.field) for error in row.errors] == [(1, "organization_identifiers[3]")]
    assert row.organisation == {
        "name": "Hillside Food Bank",
        "description": "Food parcels",
        "legal_form": "charitable_incorporated_organisation",
        "identifiers": [
            {"scheme": "GB-CHC", "id": "1161234"},
            {"scheme": "GB-COH", "id": "09876543"},
            {"scheme": "GB-MPR", "id": "30187R"},
        ],
        "sites": [
            {
                "name": "Office",
                "address": "PO Box 5, Leeds",
                "postcode": "LS1 1AA",
                "lat": None,
                "lon": None,
                "is_registered_office": True,
                "is_operating_site": False,
            },
            {
                "name": "Warehouse",
                "address": "Unit 3, Canal Yard, Leeds, West Yorkshire",
                "postcode": "LS10 1AB",
                "lat": 53.8,
                "lon": -1.55,
                "is_registered_office": False,
                "is_operating_site": True,
            },
        ],
        "website": "https://hillsidefood.org.uk",
        "email": "hello@hillsidefood.org.uk",
    }


def _names(data: bytes) -> list[tuple[int, str | None]]:
    return [(row.row, row.organisation["name"] if row.organisation else None) for row in hsds_json.parse(data)]


def test_hsds_accepts_array_wrapped_and_json_lines() -> None:
    orgs = [{"id": "a", "name": "Alpha"}, {"id": "b", "name": "Beta"}]
    array = json.dumps(orgs).encode()
    organizations = json.dumps({"organizations": orgs}).encode()
    paged = json.dumps({"total_items": 2, "contains_deep_data": False, "data": orgs}, indent=2).encode()
    lines = ("\ufeff" + "\n".join(json.dumps(org) for org in orgs) + "\n").encode()
    for data in (array, organizations, paged, lines):
        assert _names(data) == [(1, "Alpha"), (2, "Beta")], data
        assert hsds_json.count_rows(data) == 2
    assert _names(json.dumps(orgs[0]).encode()) == [(1, "Alpha")]


def test_hsds_json_lines_bad_line_rejects_only_that_row() -> None:
    data = b'{"name": "Alpha"}\n\n{"name": "Beta"\n{"description": "no name"}\n["not", "an object"]\n'
    rows = list(hsds_json.parse(data))
    assert [(row.row, row.organisation is None) for row in rows] == [
        (1, False),
        (3, True),
        (4, True),
        (5, True),
    ]
    assert [error.field for row in rows[1:] for error in row.errors] == ["$", "name", "$"]
    assert hsds_json.count_rows(data) == 4


def test_hsds_malformed_document_fails_the_job() -> None:
    with pytest.raises(ImportFormatError):
        list(hsds_json.parse(b'[{"name": "Alpha"},'))
    with pytest.raises(ImportFormatError):
        list(hsds_json.parse(b'{"something": "else"}'))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"locations": [{"location_type": "physical", "latitude": "north"}]}, "locations[0].latitude"),
        ({"locations": [{"location_type": "physical", "latitude": 53.1}]}, "locations[0]"),
        ({"locations": {"not": "a list"}}, "locations"),
        ({"x_localwealth": {"employees": "many"}}, "x_localwealth.employees"),
        ({"x_localwealth": {"legal_form": "limited"}}, "x_localwealth.legal_form"),
        ({"x_localwealth": {"ownership": "worker_cooperative"}}, "x_localwealth.ownership"),
    ],
)
def test_hsds_unreadable_structured_values_reject_the_row(change: dict, field: str) -> None:
    row = only(list(hsds_json.parse(json.dumps([{"name": "Alpha"} | change]).encode())))
    assert row.organisation is None
    assert [error.field for error in row.errors] == [field]


def test_hsds_unmapped_legal_status_is_only_a_warning() -> None:
    row = only(list(hsds_json.parse(b'[{"name": "Alpha", "legal_status": "Flibbertigibbet"}]')))
    assert row.organisation == {"name": "Alpha"}
    assert [error.field for error in row.errors] == ["legal_status"]


def test_parser_registry() -> None:
    assert set(PARSERS) == {"coops-uk", "csv", "hsds-json"}
    assert all(callable(parser.parse) and callable(parser.count_rows) for parser in PARSERS.values())
