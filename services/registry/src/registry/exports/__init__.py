"""Registry exports: the public registry in open formats (HSDS)."""
