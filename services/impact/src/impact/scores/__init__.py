"""Organisation impact scores (0–100, explained), published for the matching engine."""
