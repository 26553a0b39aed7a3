"""Offline geocoding, local authorities, distances and the ONS postcode reader (SPEC §4.1)."""

from __future__ import annotations

import csv
import gzip
import itertools
import math
import statistics
from collections import Counter
from pathlib import Path

import pytest
from localwealth_shared.reference.geography.bundled_data import read_bundled_csv
from localwealth_shared.reference.geography.gazetteer import (
    Gazetteer,
    GeoPoint,
    bounding_box,
    default_gazetteer,
    haversine_km,
    is_lad_code,
    local_authorities,
    local_authority,
)
from localwealth_shared.reference.geography.ons_postcodes import iter_ons_postcodes
from localwealth_shared.reference.geography.postcodes import PostcodeError

OXFORD = "E07000178"
REAL_POSTCODE_FILE = Path("/work/shared/data/geography/uk_postcodes_nspd_lad25.csv.gz")


# --- Gazetteer -----------------------------------------------------------------------------------


@pytest.mark.parametrize("postcode", ["OX1 1BX", "ox11bx", " ox1 1bx "])
def test_oxford_postcode_resolves_to_its_sector(postcode: str) -> None:
    point = Gazetteer().lookup(postcode)
    assert point is not None
    assert point.precision == "sector"
    assert point.lad_code == OXFORD
    assert point.lat == pytest.approx(51.75, abs=0.01)
    assert point.lon == pytest.approx(-1.26, abs=0.01)


def test_scottish_and_northern_irish_sectors_resolve() -> None:
    gazetteer = Gazetteer()
    edinburgh = gazetteer.lookup("EH1 1YZ")
    belfast = gazetteer.lookup("BT1 1AA")
    assert edinburgh is not None and edinburgh.lad_code == "S12000036"
    assert belfast is not None and belfast.lad_code == "N09000003"
    assert belfast.lon == pytest.approx(-5.93, abs=0.05)


def test_unseen_sector_falls_back_to_outcode_centroid() -> None:
    gazetteer = Gazetteer()
    assert gazetteer.sector_point("OX1 7") is None  # precondition: sector 7 is not in the bundled data
    point = gazetteer.lookup("OX1 7ZZ")
    assert point == gazetteer.outcode_point("OX1")
    assert point is not None
    assert point.precision == "outcode"
    assert point.lad_code == OXFORD


def test_unknown_outcode_gives_none_rather_than_a_guess() -> None:
    assert Gazetteer().lookup("ZE9 1AA") is None


def test_malformed_postcode_raises_instead_of_returning_none() -> None:
    with pytest.raises(PostcodeError) as excinfo:
        Gazetteer().lookup("OX1")
    assert excinfo.value.rule == "postcode.format"


def test_bfpo_and_unlocated_codes_have_no_point() -> None:
    gazetteer = Gazetteer()
    assert gazetteer.lookup("BFPO 123") is None
    assert gazetteer.lookup("GIR 0AA") is None  # non-geographic: no coordinates in the NSPD


def test_exact_mapping_wins_over_sector_and_misses_fall_back() -> None:
    exact_point = GeoPoint(lat=51.7520, lon=-1.2577, lad_code=OXFORD, precision="postcode")
    gazetteer = Gazetteer(exact={"OX1 1BX": exact_point})
    assert gazetteer.lookup("ox1 1bx") is exact_point
    fallback = gazetteer.lookup("OX1 1AA")
    assert fallback is not None and fallback.precision == "sector"
    assert gazetteer.lookup_centroid("OX1 1BX") == Gazetteer().lookup("OX1 1BX")


def test_exact_callable_receives_normalised_postcode() -> None:
    asked: list[str] = []

    def exact_lookup(postcode: str) -> GeoPoint | None:
        asked.append(postcode)
        return None

    point = Gazetteer(exact=exact_lookup).lookup("sw1a1aa")
    assert asked == ["SW1A 1AA"]
    assert point is not None and point.precision == "sector" and point.lad_code == "E09000033"


def test_default_gazetteer_is_one_shared_instance() -> None:
    assert default_gazetteer() is default_gazetteer()


def test_bundled_centroids_only_name_known_local_authorities() -> None:
    for file_name in ("postcode_sector_centroids.csv", "postcode_outcode_centroids.csv"):
        rows = read_bundled_csv(file_name)
        assert len(rows) > 3000
        unknown = {row["main_lad_code"] for row in rows if not is_lad_code(row["main_lad_code"])}
        assert unknown == set(), file_name
        assert all(49.0 < float(row["lat"]) < 61.0 for row in rows), file_name


# --- Local authorities ---------------------------------------------------------------------------


def test_local_authority_list_is_the_361_lad25_districts() -> None:
    authorities = local_authorities()
    codes = [authority.code for authority in authorities]
    assert len(authorities) == 361
    assert len(set(codes)) == 361
    assert codes == sorted(codes)
    assert Counter(authority.country for authority in authorities) == {
        "England": 296,
        "Scotland": 32,
        "Wales": 22,
        "Northern Ireland": 11,
    }


def test_oxford_local_authority_record() -> None:
    oxford = local_authority(OXFORD)
    assert oxford is not None
    assert oxford.name == "Oxford"
    assert oxford.country == "England"
    assert oxford.upper_tier_code == "E10000025"
    assert oxford.upper_tier_name == "Oxfordshire"
    assert oxford.region == "South East (England)"
    assert oxford.centroid_lat == pytest.approx(51.75, abs=0.05)
    assert oxford in local_authorities()


def test_lad_code_checks() -> None:
    assert is_lad_code(OXFORD)
    assert is_lad_code(" e07000178 ")
    assert is_lad_code("E08000038")  # Barnsley's 2025 code
    assert not is_lad_code("E08000016")  # Barnsley's code before 2025
    assert not is_lad_code("E10000025")  # a county, not a district
    assert not is_lad_code("L99999999")  # Channel Islands pseudo-code
    assert not is_lad_code("")
    assert local_authority("nonsense") is None


def test_returned_list_can_be_changed_without_affecting_the_next_call() -> None:
    local_authorities().clear()
    assert len(local_authorities()) == 361


# --- Distances -----------------------------------------------------------------------------------


def test_london_to_oxford_is_about_80_km() -> None:
    charing_cross = (51.5074, -0.1278)
    carfax_oxford = (51.7520, -1.2577)
    assert haversine_km(*charing_cross, *carfax_oxford) == pytest.approx(80, abs=5)
    assert haversine_km(*charing_cross, *carfax_oxford) == pytest.approx(haversine_km(*carfax_oxford, *charing_cross))


def test_haversine_reference_values() -> None:
    assert haversine_km(51.0, -1.0, 51.0, -1.0) == 0.0
    assert haversine_km(0.0, 0.0, 1.0, 0.0) == pytest.approx(111.195, abs=0.01)
    assert haversine_km(0.0, 0.0, 0.0, 180.0) == pytest.approx(math.pi * 6371.0088, rel=1e-9)


def _destination(lat: float, lon: float, bearing_deg: float, distance_km: float) -> tuple[float, float]:
    """Point reached from (lat, lon) along a great circle (standard spherical formula)."""
    angular = distance_km / 6371.0088
    phi1, lambda1, theta = math.radians(lat), math.radians(lon), math.radians(bearing_deg)
    phi2 = math.asin(math.sin(phi1) * math.cos(angular) + math.cos(phi1) * math.sin(angular) * math.cos(theta))
    lambda2 = lambda1 + math.atan2(
        math.sin(theta) * math.sin(angular) * math.cos(phi1),
        math.cos(angular) - math.sin(phi1) * math.sin(phi2),
    )
    return math.degrees(phi2), math.degrees(lambda2)


@pytest.mark.parametrize(("lat", "lon", "radius_km"), [(51.75, -1.26, 10), (60.15, -1.15, 50), (50.1, -5.5, 1)])
def test_bounding_box_contains_the_whole_circle(lat: float, lon: float, radius_km: float) -> None:
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, radius_km)
    for bearing in range(0, 360, 5):
        point_lat, point_lon = _destination(lat, lon, bearing, radius_km)
        assert min_lat - 1e-9 <= point_lat <= max_lat + 1e-9
        assert min_lon - 1e-9 <= point_lon <= max_lon + 1e-9


def test_bounding_box_scales_longitude_by_latitude() -> None:
    min_lat, max_lat, min_lon, max_lon = bounding_box(60.0, 0.0, 10)
    assert max_lat - min_lat == pytest.approx(2 * 10 / 111.195, rel=1e-3)
    # At 60°N a degree of longitude is half as long, so the box is twice as wide in degrees.
    assert (max_lon - min_lon) == pytest.approx(2 * (max_lat - min_lat), rel=1e-3)


def test_bounding_box_edge_cases() -> None:
    assert bounding_box(89.9, 10.0, 50)[2:] == (-180.0, 180.0)  # circle covers the pole
    assert bounding_box(51.0, 179.99, 50)[2:] == (-180.0, 180.0)  # crosses the antimeridian
    assert bounding_box(51.0, -1.0, 0) == pytest.approx((51.0, 51.0, -1.0, -1.0))
    with pytest.raises(ValueError):
        bounding_box(51.0, -1.0, -1)
    with pytest.raises(ValueError):
        bounding_box(91.0, -1.0, 1)


# --- ONS postcode file reader --------------------------------------------------------------------

SAMPLE_ONS_ROWS = [
    ["postcode", "lad25cd", "easting", "northing", "lat", "lon"],
    ["OX1 1BX", "E07000178", "451300", "206100", "51.75196", "-1.25780"],
    ["sw1a1aa", "E09000033", "529090", "179645", "51.50101", "-0.14156"],  # needs normalising
    ["AB11 3AG", "", "", "", "", ""],  # exists, but no grid reference
    ["GY1 1AA", "L99999999", "", "", "", ""],  # Guernsey: pseudo LAD code
    ["NPT 0AD", "W06000022", "331000", "188000", "51.58", "-2.99"],  # retired format: skipped
    [],  # blank line
    ["BT1 1AA", "N09000003", "333900", "374300", "54.60030", "-5.92960"],
]


def _write_csv(path: Path, rows: list[list[str]], *, compress: bool) -> Path:
    opener = gzip.open if compress else open
    with opener(path, "wt", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


EXPECTED_ONS_ROWS = [
    ("OX1 1BX", "E07000178", 51.75196, -1.25780),
    ("SW1A 1AA", "E09000033", 51.50101, -0.14156),
    ("AB11 3AG", None, None, None),
    ("GY1 1AA", None, None, None),
    ("BT1 1AA", "N09000003", 54.60030, -5.92960),
]


def test_iter_ons_postcodes_reads_gzip(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "postcodes.csv.gz", SAMPLE_ONS_ROWS, compress=True)
    assert list(iter_ons_postcodes(path)) == EXPECTED_ONS_ROWS


def test_iter_ons_postcodes_reads_plain_csv_whatever_its_name(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "postcodes.csv.gz", SAMPLE_ONS_ROWS, compress=False)
    assert list(iter_ons_postcodes(str(path))) == EXPECTED_ONS_ROWS


def test_iter_ons_postcodes_strict_mode_names_the_line(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "postcodes.csv", SAMPLE_ONS_ROWS, compress=False)
    with pytest.raises(PostcodeError, match="line 6"):
        list(iter_ons_postcodes(path, strict=True))


def test_iter_ons_postcodes_accepts_raw_nspd_columns_and_sentinels(tmp_path: Path) -> None:
    rows = [
        ["pcd7", "pcds", "lad26cd", "lat", "long"],
        ["OX1 1BX", "OX1 1BX", "E07000178", "51.75196", "-1.25780"],
        ["ZE1 0AA", "ZE1 0AA", "S12000027", "99.999999", "0.000000"],  # ONS "no coordinates" sentinel
    ]
    path = _write_csv(tmp_path / "nspd.csv", rows, compress=False)
    assert list(iter_ons_postcodes(path)) == [
        ("OX1 1BX", "E07000178", 51.75196, -1.25780),
        ("ZE1 0AA", "S12000027", None, None),
    ]


def test_iter_ons_postcodes_rejects_a_file_without_needed_columns(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "bad.csv", [["postcode", "easting", "northing"]], compress=False)
    with pytest.raises(ValueError, match="local authority"):
        list(iter_ons_postcodes(path))


def test_imported_points_feed_the_gazetteer_at_postcode_precision(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "postcodes.csv.gz", SAMPLE_ONS_ROWS, compress=True)
    exact = {
        postcode: GeoPoint(lat=lat, lon=lon, lad_code=lad_code, precision="postcode")
        for postcode, lad_code, lat, lon in iter_ons_postcodes(path)
        if lat is not None and lon is not None
    }
    point = Gazetteer(exact=exact).lookup("OX1 1BX")
    assert point == GeoPoint(lat=51.75196, lon=-1.25780, lad_code=OXFORD, precision="postcode")


@pytest.mark.skipif(not REAL_POSTCODE_FILE.exists(), reason="full ONS postcode file not available")
def test_first_thousand_rows_of_the_real_ons_file() -> None:
    rows = list(itertools.islice(iter_ons_postcodes(REAL_POSTCODE_FILE), 1000))
    assert len(rows) == 1000
    located = [row for row in rows if row[2] is not None]
    assert len(located) > 900
    gazetteer = Gazetteer()
    centroid_errors_km: list[float] = []
    for postcode, lad_code, lat, lon in rows:
        assert postcode == postcode.strip().upper() and " " in postcode
        assert lad_code is None or is_lad_code(lad_code)
        if lat is not None and lon is not None:
            assert 49.0 < lat < 61.0 and -9.0 < lon < 2.0
            approximate = gazetteer.lookup(postcode)
            assert approximate is not None
            centroid_errors_km.append(haversine_km(lat, lon, approximate.lat, approximate.lon))
    # Sector centroids should sit close to the exact points; a few terminated codes (old AB1 x) are outliers.
    assert statistics.median(centroid_errors_km) < 2
    assert sum(error < 10 for error in centroid_errors_km) / len(centroid_errors_km) > 0.98
