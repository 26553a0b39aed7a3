"""Reliable events: CloudEvents envelope, transactional outbox + relay, idempotent consumers with DLQ."""
