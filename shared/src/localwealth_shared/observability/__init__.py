"""Logs, request/trace ids and metrics."""
