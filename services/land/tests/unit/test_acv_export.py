from land.acv.export import wkt


def test_polygons_become_wkt_and_other_types_are_left_out() -> None:
    ring = [[-1.26, 51.75], [-1.25, 51.75], [-1.25, 51.76], [-1.26, 51.75]]
    assert wkt({"type": "Polygon", "coordinates": [ring]}) == (
        "POLYGON ((-1.26 51.75, -1.25 51.75, -1.25 51.76, -1.26 51.75))"
    )
    assert wkt({"type": "MultiPolygon", "coordinates": [[ring], [ring]]}).startswith("MULTIPOLYGON (((-1.26 51.75")
    assert wkt({"type": "Point", "coordinates": [-1.2, 51.7]}) == ""
    assert wkt(None) == ""
