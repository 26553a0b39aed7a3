"""Public land and buildings owned by a council (SPEC §6.1)."""
