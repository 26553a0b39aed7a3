"""Community Asset Transfer (England/Wales; council policy, not statute — SPEC §6.3)."""
