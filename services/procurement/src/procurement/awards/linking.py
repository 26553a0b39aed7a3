"""Find the registry organisation an award's supplier refers to: by id, else by any org-id identifier,
else by a name that matches exactly one supplier (after normalising case, punctuation and Ltd/Limited)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from localwealth_shared.http.problems import field_error
from localwealth_shared.reference.identifiers import IdentifierError, normalise_identifier
from localwealth_shared.reference.names import name_key
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from procurement.db import Supplier, SupplierIdentifier


@dataclass(frozen=True)
class Link:
    organisation_id: str | None
    name: str | None
    scheme: str | None
    identifier: str | None
    linked_by: str | None


async def link_supplier(session: AsyncSession, ref: dict[str, Any], loc: list[str | int]) -> Link:
    scheme = value = None
    if ref.get("identifier"):
        try:
            ident = normalise_identifier(ref["identifier"]["scheme"], ref["identifier"]["id"])
        except IdentifierError as exc:
            raise field_error([*loc, "identifier"], str(exc), exc.rule) from exc
        scheme, value = ident.scheme, ident.id
    name = ref.get("name")
    if ref.get("organisation_id"):
        supplier = await session.get(Supplier, ref["organisation_id"])
        if supplier is None or supplier.deregistered:
            raise field_error(
                [*loc, "organisation_id"], "no registered organisation with this id", "supplier.unknown_organisation"
            )
        return Link(supplier.id, name or supplier.name, scheme, value, "organisation_id")
    if scheme is not None:
        found = await session.get(SupplierIdentifier, (scheme, value))
        if found is not None:
            supplier = await session.get(Supplier, found.organisation_id)
            if supplier is not None and not supplier.deregistered:
                return Link(supplier.id, name or supplier.name, scheme, value, "identifier")
    if name:
        ids = (
            (
                await session.execute(
                    select(Supplier.id)
                    .where(Supplier.name_key == name_key(name), Supplier.deregistered.is_(False))
                    .limit(2)
                )
            )
            .scalars()
            .all()
        )
        if len(ids) == 1:
            return Link(ids[0], name, scheme, value, "name")
    return Link(None, name, scheme, value, None)
