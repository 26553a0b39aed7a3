"""Scotland: asset transfer requests (Community Empowerment (Scotland) Act 2015 Part 5 — SPEC §6.4)."""
