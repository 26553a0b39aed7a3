"""`localwealth gateway tenants|keys ...` against a migrated database."""

from __future__ import annotations

import re

import pytest
from gateway.admin.key_material import hash_key
from gateway.cli import app
from typer.testing import CliRunner


@pytest.fixture
def cli_env(migrated_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("GATEWAY_DATABASE_URL", migrated_url)
    monkeypatch.setenv("LOCALWEALTH_ENV", "test")
    return CliRunner()


def test_tenant_and_key_commands(cli_env: CliRunner) -> None:
    created = cli_env.invoke(
        app,
        ["tenants", "create", "E07000178", "--name", "Oxford City Council", "--kind", "council", "--lad", "E07000178"],
    )
    assert created.exit_code == 0, created.output
    duplicate = cli_env.invoke(app, ["tenants", "create", "E07000178", "--name", "Again", "--lad", "E07000178"])
    assert duplicate.exit_code == 1 and "already exists" in duplicate.output
    bad = cli_env.invoke(app, ["tenants", "create", "x", "--name", "X", "--lad", "Oxford"])
    assert bad.exit_code == 2 and "lad_codes" in bad.output

    issued = cli_env.invoke(
        app,
        [
            "keys",
            "create",
            "--tenant",
            "E07000178",
            "--name",
            "ERP",
            "--scope",
            "impact:write",
            "--scope",
            "impact:read",
        ],
    )
    assert issued.exit_code == 0, issued.output
    key = re.search(r"^(lw_\S+)$", issued.output, re.MULTILINE)
    assert key is not None
    key_id = re.search(r"key id (\S+)", issued.output)
    assert key_id is not None

    listed = cli_env.invoke(app, ["keys", "list", "--tenant", "E07000178"])
    assert listed.exit_code == 0 and key_id.group(1)[:8] in listed.output
    assert key.group(1) not in listed.output and hash_key(key.group(1)) not in listed.output

    unknown = cli_env.invoke(app, ["keys", "create", "--tenant", "E07000178", "--name", "x", "--scope", "everything"])
    assert unknown.exit_code == 2 and "everything" in unknown.output

    assert cli_env.invoke(app, ["keys", "revoke", key_id.group(1)]).exit_code == 0
    assert cli_env.invoke(app, ["keys", "revoke", "no-such-key"]).exit_code == 1
    assert "E07000178" in cli_env.invoke(app, ["tenants", "list"]).output
