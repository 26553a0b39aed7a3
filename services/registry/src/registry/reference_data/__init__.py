"""Reference data bundled with the registry (loaded with importlib.resources; see SOURCE.txt files)."""
