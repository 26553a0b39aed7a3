"""UK SIC 2007 and legacy SIC 2003 codes (OGL v3; see SOURCE.txt)."""
