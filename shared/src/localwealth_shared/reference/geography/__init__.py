"""Offline UK geography for the registry: postcode rules, geocoding, local authorities, distances.

Pure Python over data bundled in ``localwealth_shared/reference/data/geography`` (ONS, OGL v3; see its SOURCE.txt).
"""

from localwealth_shared.reference.geography.distance import bounding_box, haversine_km
from localwealth_shared.reference.geography.gazetteer import (
    ExactLookup,
    Gazetteer,
    GeoPoint,
    Precision,
    default_gazetteer,
)
from localwealth_shared.reference.geography.local_authorities import (
    LocalAuthority,
    is_lad_code,
    local_authorities,
    local_authority,
)
from localwealth_shared.reference.geography.ons_postcodes import OnsPostcodeRow, iter_ons_postcodes
from localwealth_shared.reference.geography.postcodes import (
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
