"""`localwealth`: one command for every installed service (each registers a `localwealth.cli` entry point)."""

from __future__ import annotations

from importlib.metadata import entry_points

import typer

app = typer.Typer(help="localwealth: community wealth building platform.", no_args_is_help=True)


@app.command()
def dev() -> None:
    """Run the whole platform locally on embedded defaults (SQLite + Tansu broker) with demo data."""
    from localwealth_shared.devstack import main as run_dev_stack

    run_dev_stack()


def _register_services() -> None:
    for entry in sorted(entry_points(group="localwealth.cli"), key=lambda e: e.name):
        app.add_typer(entry.load(), name=entry.name)


def main() -> None:
    _register_services()
    app()


if __name__ == "__main__":
    main()
