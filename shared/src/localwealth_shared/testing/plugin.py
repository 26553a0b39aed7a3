"""Pytest plugin: fixtures shared by every test suite (real broker, per-run databases)."""
