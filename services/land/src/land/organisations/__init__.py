"""The land service's copy of the registry's organisations (nominators and bidders), fed by events."""
