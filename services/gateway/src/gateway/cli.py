"""`localwealth gateway ...`: api, migrate, tenants, keys, and the merged OpenAPI document."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from localwealth_shared.auth import SCOPES, admin_principal
from localwealth_shared.db import Database
from localwealth_shared.http.problems import Problem
from localwealth_shared.service_cli import service_cli
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.admin import service
from gateway.admin.schemas import ApiKeyCreate, TenantCreate
from gateway.config import SERVICE_ROOT, GatewaySettings, get_settings
from gateway.db import platform

app = service_cli(
    name="gateway",
    settings_factory=get_settings,
    app_path="gateway.main:create_app",
    service_root=SERVICE_ROOT,
    tables_factory=lambda: platform,
)
tenants = typer.Typer(help="Tenants (councils and other anchor institutions).", no_args_is_help=True)
keys = typer.Typer(help="API keys.", no_args_is_help=True)
app.add_typer(tenants, name="tenants")
app.add_typer(keys, name="keys")
console = Console()
T = TypeVar("T")


def _run(work: Callable[[AsyncSession], Awaitable[T]], *, write: bool) -> T:
    """Run one unit of work as the platform admin, committed on success; problems become a clean exit 1."""
    settings: GatewaySettings = get_settings()

    async def go() -> T:
        db = Database(settings.database_url)
        try:
            if write:
                async with db.transaction() as session:
                    return await work(session)
            async with db.reader() as session:
                return await work(session)
        finally:
            await db.dispose()

    try:
        return asyncio.run(go())
    except Problem as exc:
        console.print(f"[red]{exc.detail or exc.code}[/red]")
        raise typer.Exit(1) from exc


def _validated(model: type[T], **fields: object) -> T:
    try:
        return model(**fields)
    except ValidationError as exc:
        for error in exc.errors():
            console.print(f"[red]{'.'.join(str(p) for p in error['loc'])}: {error['msg']}[/red]")
        raise typer.Exit(2) from exc


@tenants.command("create")
def tenants_create(
    tenant_id: Annotated[str, typer.Argument(metavar="ID", help="e.g. the council's GSS code, E07000178")],
    name: Annotated[str, typer.Option(help="Display name, e.g. 'Oxford City Council'")],
    kind: Annotated[str, typer.Option(help="council or anchor")] = "council",
    lad: Annotated[list[str], typer.Option("--lad", help="LAD (GSS) code of the local area; repeat for several")] = [],  # noqa: B006 - typer needs a literal default
) -> None:
    """Create a tenant."""
    body = _validated(TenantCreate, id=tenant_id, name=name, kind=kind, area={"lad_codes": lad})
    _run(
        lambda s: service.create_tenant(
            s, admin_principal(), tenant_id=body.id, name=body.name, kind=body.kind, lad_codes=body.area.lad_codes
        ),
        write=True,
    )
    console.print(f"[green]tenant {body.id} created[/green]")


@tenants.command("list")
def tenants_list() -> None:
    """List tenants."""
    rows, _ = _run(lambda s: service.list_tenants(s, admin_principal(), limit=10_000, cursor=None), write=False)
    table = Table("id", "name", "kind", "area")
    for t in rows:
        table.add_row(t.id, t.name, t.kind, " ".join(t.lad_codes))
    console.print(table)


@keys.command("create")
def keys_create(
    tenant: Annotated[str, typer.Option(help="Tenant id")],
    name: Annotated[str, typer.Option(help="What the key is for, e.g. 'finance ERP'")],
    scope: Annotated[list[str], typer.Option("--scope", help=f"Repeat for several: {', '.join(SCOPES)}")],
) -> None:
    """Issue an API key; it is printed once and cannot be shown again."""
    body = _validated(ApiKeyCreate, tenant_id=tenant, name=name, scopes=scope)
    key, plaintext = _run(
        lambda s: service.create_key(
            s, admin_principal(), tenant_id=body.tenant_id, name=body.name, scopes=body.scopes
        ),
        write=True,
    )
    console.print(f"key id {key.id} for tenant {key.tenant_id}, scopes {' '.join(key.scopes)}")
    console.print("The key is shown only now; store it safely:")
    typer.echo(plaintext)


@keys.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(metavar="KEY_ID")]) -> None:
    """Revoke a key at once."""
    _run(lambda s: service.revoke_key(s, admin_principal(), key_id), write=True)
    console.print(f"[green]key {key_id} revoked[/green]")


@keys.command("list")
def keys_list(tenant: Annotated[str | None, typer.Option(help="Only this tenant's keys")] = None) -> None:
    """List keys (never their secrets)."""
    rows, _ = _run(
        lambda s: service.list_keys(s, admin_principal(), tenant_id=tenant, limit=10_000, cursor=None), write=False
    )
    table = Table("id", "tenant", "name", "prefix", "scopes", "created", "revoked")
    for k in rows:
        table.add_row(
            k.id,
            k.tenant_id,
            k.name,
            k.prefix + "…",
            " ".join(k.scopes),
            k.created_at.isoformat(),
            k.revoked_at.isoformat() if k.revoked_at else "",
        )
    console.print(table)


@app.command("openapi")
def openapi(
    output: Annotated[Path | None, typer.Option(help="Write here (e.g. contracts/openapi.json), not stdout")] = None,
    check: Annotated[bool, typer.Option(help="Exit 1 if --output differs from the built document")] = False,
) -> None:
    """Build the merged OpenAPI document from the installed services' apps, in-process (no servers needed)."""
    from gateway.openapi.merge import merge_documents
    from gateway.openapi.sources import in_process_documents

    gateway_doc, documents = in_process_documents()
    text = json.dumps(merge_documents(gateway_doc, documents), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        typer.echo(text, nl=False)
        return
    if check:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != text:
            console.print(f"[red]{output} is out of date; run `localwealth gateway openapi --output {output}`[/red]")
            raise typer.Exit(1)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    console.print(f"[green]wrote {output} ({', '.join(['gateway', *documents])})[/green]")
