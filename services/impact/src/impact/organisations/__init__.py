"""The registry organisations this service knows, from `registry.organisation` events."""
