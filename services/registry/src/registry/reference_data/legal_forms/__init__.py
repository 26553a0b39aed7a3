"""Legal-form aliases and Companies House number prefixes (OGL v3 where derived; see SOURCE.txt)."""
