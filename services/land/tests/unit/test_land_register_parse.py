"""Header variants of council land registers and their map references."""

import pytest
from land.imports.land_register import RegisterFormatError, map_headers, parse


def test_header_synonyms_across_councils() -> None:
    mapping = map_headers(
        [
            "Unique Property Reference Number",
            "Property Ref",
            "Site Name",
            "Post Code",
            "Easting",
            "Northing",
            "Holding type",
            "Current Use",
        ]
    )
    assert mapping == {
        "uprn": "Unique Property Reference Number",
        "reference": "Property Ref",
        "name": "Site Name",
        "postcode": "Post Code",
        "easting": "Easting",
        "northing": "Northing",
        "tenure": "Holding type",
        "current_use": "Current Use",
    }


def test_map_reference_pair_latitude_longitude_and_bom() -> None:
    content = (
        "\ufeffAsset ID,Asset Name,Map Reference,Latitude,Longitude\n"
        'A1,Hall,"451350, 206050",,\nA2,Park,,51.75,-1.26\nA3,Sea,,40.0,-1.26\n'
    )
    rows = list(parse(content.encode("utf-8")))
    assert rows[0].fields["point"]["lat"] == pytest.approx(51.7507, abs=0.002)
    assert rows[1].fields["point"] == {"lat": 51.75, "lon": -1.26}
    assert rows[2].errors == [("latitude", "40.0, -1.26 is not in the United Kingdom")]


def test_no_header_is_a_format_error() -> None:
    with pytest.raises(RegisterFormatError):
        list(parse(b""))
