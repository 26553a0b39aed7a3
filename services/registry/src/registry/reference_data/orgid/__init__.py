"""org-id.guide identifier schemes (ODbL 1.0; see SOURCE.txt)."""
