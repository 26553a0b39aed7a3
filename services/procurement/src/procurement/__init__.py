"""localwealth procurement service: OCDS tenders, thresholds, local reservation and supplier matching."""
