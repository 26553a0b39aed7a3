"""Supplier reconciliation: council suppliers linked to registry organisations, and the review queue."""
