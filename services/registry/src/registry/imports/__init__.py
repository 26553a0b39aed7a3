"""Registry bulk imports: file parsers (format-level work only) feeding the import job service."""
