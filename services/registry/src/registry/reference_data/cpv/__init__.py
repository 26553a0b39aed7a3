"""CPV 2008 vocabulary (EU reuse policy; see SOURCE.txt)."""
