"""Offline UK geography for the registry: postcode rules, geocoding, local authorities, distances.

Pure Python over data bundled in ``registry.reference_data.geography`` (ONS, OGL v3; see its SOURCE.txt).
"""

from registry.geography.distance import bounding_box, haversine_km
from registry.geography.gazetteer import ExactLookup, Gazetteer, GeoPoint, Precision, default_gazetteer
from registry.geography.local_authorities import (
    LocalAuthority,
    is_lad_code,
    local_authorities,
    local_authority,
)
from registry.geography.ons_postcodes import OnsPostcodeRow, iter_ons_postcodes
from registry.geography.postcodes import (
    PostcodeError,
    is_valid_postcode,
    normalise_postcode,
    postcode_outcode,
    postcode_sector,
)

__all__ = [
    "ExactLookup",
    "Gazetteer",
    "GeoPoint",
    "LocalAuthority",
    "OnsPostcodeRow",
    "PostcodeError",
    "Precision",
    "bounding_box",
    "default_gazetteer",
    "haversine_km",
    "is_lad_code",
    "is_valid_postcode",
    "iter_ons_postcodes",
    "local_authorities",
    "local_authority",
    "normalise_postcode",
    "postcode_outcode",
    "postcode_sector",
]
