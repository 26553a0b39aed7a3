"""National Grid → latitude/longitude: Ordnance Survey's worked example, and known places in WGS84."""

import pytest
from localwealth_shared.reference.geography.national_grid import GridReferenceError, grid_to_wgs84, osgb36_latlon


def test_ordnance_survey_worked_example_on_osgb36() -> None:
    # "A guide to coordinate systems in Great Britain", Annex C: E 651409.903, N 313177.270 →
    # 52°39'27.2531"N, 1°43'4.5177"E on OSGB36.
    lat, lon = osgb36_latlon(651409.903, 313177.270)
    assert lat == pytest.approx(52 + 39 / 60 + 27.2531 / 3600, abs=1e-7)
    assert lon == pytest.approx(1 + 43 / 60 + 4.5177 / 3600, abs=1e-7)


@pytest.mark.parametrize(
    ("easting", "northing", "lat", "lon"),
    [
        (538874, 177344, 51.47788, -0.00147),  # the Prime Meridian at Greenwich (WGS84 lies ~100 m to its east)
        (651409.903, 313177.270, 52.65798, 1.71605),  # the worked example's point, in WGS84
    ],
)
def test_grid_to_wgs84_known_places(easting: float, northing: float, lat: float, lon: float) -> None:
    got = grid_to_wgs84(easting, northing)
    assert got == pytest.approx((lat, lon), abs=0.0002)  # ~20 m: the Helmert transformation is good to a few


def test_outside_the_grid_is_refused() -> None:
    with pytest.raises(GridReferenceError):
        grid_to_wgs84(-5, 100)
    with pytest.raises(GridReferenceError):
        grid_to_wgs84(451300, 1_400_000)
