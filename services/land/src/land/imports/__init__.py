"""Bulk import of a council's land and building register (Local Government Transparency Code CSV)."""
