"""UK reference data every service needs, offline: org-id identifiers, SIC 2007 / CPV 2008 code lists and
geography (postcodes, ONS centroids, local authorities, distances).

Pure functions over open data bundled in ``data/`` (each folder has a SOURCE.txt with origin and licence);
no database, no domain models. Domain rules built on top (legal forms, flags) stay in their service.
"""
