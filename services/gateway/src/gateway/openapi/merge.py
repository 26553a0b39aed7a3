"""Merge the gateway's and the services' OpenAPI documents into one public document.

Components with the same name and the same definition are shared (every service has ProblemDocument);
a name whose definition differs from one already merged is prefixed with the service's name
(`procurement_Lot`) and every `$ref` in that service's paths and components is rewritten. A service's
paths are kept only where the gateway's routing table sends them to that service.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from gateway.proxy.routing import resolve

COMPONENT_SECTIONS = (
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "links",
    "callbacks",
    "pathItems",
)
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
BEARER_AUTH = {
    "type": "http",
    "scheme": "bearer",
    "description": "An API key (`lw_...`) issued by `POST /api/v1/admin/api-keys`, "
    "sent as `Authorization: Bearer <key>`.",
}

Renames = dict[tuple[str, str], str]


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def rewrite_refs(node: Any, renames: Renames) -> Any:
    """A copy of `node` with `#/components/<section>/<name>` refs renamed."""
    if not renames:
        return copy.deepcopy(node)
    targets = {
        f"#/components/{section}/{_escape(old)}": f"#/components/{section}/{_escape(new)}"
        for (section, old), new in renames.items()
    }

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            out = {k: walk(v) for k, v in value.items()}
            ref = out.get("$ref")
            if isinstance(ref, str) and ref in targets:
                out["$ref"] = targets[ref]
            return out
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return walk(node)


def _component_renames(
    merged: Mapping[str, dict[str, Any]], incoming: Mapping[str, dict[str, Any]], service: str
) -> tuple[Renames, dict[str, dict[str, Any]]]:
    """Rename clashing components until no rewritten definition differs from a merged one of the same name."""
    renames: Renames = {}
    while True:
        rewritten = rewrite_refs(dict(incoming), renames)
        clashes = {
            (section, name)
            for section, definitions in rewritten.items()
            for name, definition in definitions.items()
            if (section, name) not in renames
            and name in merged.get(section, {})
            and merged[section][name] != definition
        }
        if not clashes:
            return renames, rewritten
        for section, name in clashes:
            candidate = f"{service}_{name}"
            while candidate in merged.get(section, {}) or candidate in incoming.get(section, {}):
                candidate = f"{service}_{candidate}"
            renames[(section, name)] = candidate


def _add_document(merged: dict[str, Any], service: str, doc: Mapping[str, Any], *, filter_paths: bool) -> None:
    components = merged["components"]
    source = doc.get("components") or {}
    incoming = {section: dict(source[section]) for section in COMPONENT_SECTIONS if source.get(section)}
    renames, rewritten = _component_renames(components, incoming, service)
    for section, definitions in rewritten.items():
        target = components.setdefault(section, {})
        for name, definition in definitions.items():
            target[renames.get((section, name), name)] = definition

    operation_ids: set[str] = merged.setdefault("_operation_ids", set())
    for path, item in rewrite_refs(doc.get("paths") or {}, renames).items():
        if filter_paths and resolve(path) != service:
            continue
        if path in merged["paths"]:
            continue  # the routing table owns each path once; a duplicate is another service's stray route
        for method, operation in item.items():
            if method not in HTTP_METHODS or not isinstance(operation, dict):
                continue
            operation["x-service"] = service
            op_id = operation.get("operationId")
            if op_id is not None:
                if op_id in operation_ids:
                    operation["operationId"] = op_id = f"{service}_{op_id}"
                operation_ids.add(op_id)
        merged["paths"][path] = item

    known_tags = {t["name"] for t in merged["tags"]}
    for tag in doc.get("tags") or []:
        if tag.get("name") not in known_tags:
            merged["tags"].append(copy.deepcopy(tag))
            known_tags.add(tag["name"])


def merge_documents(
    gateway_doc: Mapping[str, Any],
    service_docs: Mapping[str, Mapping[str, Any]],
    *,
    degraded: Sequence[str] = (),
) -> dict[str, Any]:
    """One OpenAPI 3.1 document: the gateway's paths first, then each service's in the order given."""
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": copy.deepcopy(dict(gateway_doc.get("info") or {"title": "localwealth API", "version": "1.0.0"})),
        "paths": {},
        "components": {},
        "tags": [],
        "security": [{"bearerAuth": []}],
    }
    _add_document(merged, "gateway", gateway_doc, filter_paths=False)
    for service, doc in service_docs.items():
        _add_document(merged, service, doc, filter_paths=True)
    del merged["_operation_ids"]
    merged["components"]["securitySchemes"] = {"bearerAuth": BEARER_AUTH}
    merged["x-services"] = ["gateway", *service_docs]
    merged["x-degraded"] = list(degraded)
    if not merged["tags"]:
        del merged["tags"]
    return merged
