"""What procurement and land announced (tenders, awards, transfers, ACV listings), as facts the indicators count."""
