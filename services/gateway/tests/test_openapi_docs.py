"""Merged OpenAPI (live and in-process), its 3.0 rendering for the docs, and the offline Swagger UI."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from gateway.openapi.compat30 import as_openapi_30
from gateway.openapi.merge import merge_documents

ADMIN = {"authorization": "Bearer dev-admin-key"}


def dangling_refs(document: dict[str, Any]) -> list[str]:
    refs: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                refs.append(ref)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    missing = []
    for ref in refs:
        _, section, name = ref.removeprefix("#/").split("/", 2)
        if name.replace("~1", "/").replace("~0", "~") not in document.get("components", {}).get(section, {}):
            missing.append(ref)
    return missing


def assert_valid(document: dict[str, Any]) -> None:
    assert dangling_refs(document) == []
    for path, item in document["paths"].items():
        assert path.startswith("/")
        for operation in item.values():
            assert "responses" in operation
    try:
        from openapi_spec_validator import validate
    except ImportError:  # not in every environment; the structural checks above still ran
        return
    validate(document)


async def test_merged_document_has_gateway_and_service_paths(gateway: httpx.AsyncClient) -> None:
    resp = await gateway.get("/openapi.json")
    assert resp.status_code == 200
    doc = resp.json()
    assert doc["openapi"].startswith("3.1")
    paths = doc["paths"]
    assert "/api/v1/admin/tenants" in paths and "/api/v1/organisations/{organisation_id}/profile" in paths
    assert "/api/v1/organisations/{org_id}" in paths and "/api/v1/organisations/imports" in paths
    assert "/api/v1/tenders/not-mine" not in paths  # the registry does not own it in the routing table
    assert "/internal/introspect" not in paths and "/healthz" not in paths
    assert paths["/api/v1/organisations/{org_id}"]["get"]["x-service"] == "registry"
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        **doc["components"]["securitySchemes"]["bearerAuth"],
        "type": "http",
        "scheme": "bearer",
    }
    assert doc["security"] == [{"bearerAuth": []}]
    assert doc["x-degraded"] == []

    schemas = doc["components"]["schemas"]
    assert "Tenant" in schemas and "registry_Tenant" in schemas  # same name, different definitions
    assert "code" in schemas["registry_Tenant"]["properties"] and "kind" in schemas["Tenant"]["properties"]
    ref = paths["/api/v1/reference/tenants/{code}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert ref["schema"]["$ref"] == "#/components/schemas/registry_Tenant"
    assert "ProblemDocument" in schemas and "registry_ProblemDocument" not in schemas  # identical: shared
    assert_valid(doc)


async def test_a_service_that_is_down_is_left_out_and_listed(
    registry: Any, make_gateway: Any, start_upstream: Any
) -> None:
    impact = await start_upstream("impact")
    client = await make_gateway(registry_url=registry.url, impact_url=impact.url, openapi_cache_ttl_s=0)
    await registry.stop()
    doc = (await client.get("/openapi.json")).json()
    assert doc["x-degraded"] == ["registry"]
    assert "/api/v1/organisations/{org_id}" not in doc["paths"]
    assert "/api/v1/organisations/{org_id}/impact" in doc["paths"]
    assert "/api/v1/admin/tenants" in doc["paths"]
    assert_valid(doc)


def test_merge_renames_transitively_and_keeps_operation_ids_unique() -> None:
    problem = {"type": "object", "properties": {"code": {"type": "string"}}}
    gateway_doc = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/api/v1/admin/x": {"get": {"operationId": "op", "responses": {"200": {"description": "ok"}}}}},
        "components": {"schemas": {"Problem": problem, "Item": {"type": "string"}}},
    }
    service_doc = {
        "openapi": "3.1.0",
        "info": {"title": "s", "version": "1"},
        "paths": {
            "/api/v1/tenders": {
                "get": {
                    "operationId": "op",
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Page"}}},
                        }
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Problem": problem,
                "Item": {"type": "integer"},
                "Page": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}},
            }
        },
    }
    merged = merge_documents(gateway_doc, {"procurement": service_doc})
    schemas = merged["components"]["schemas"]
    assert schemas["Item"] == {"type": "string"} and schemas["procurement_Item"] == {"type": "integer"}
    assert schemas["Page"]["items"]["$ref"] == "#/components/schemas/procurement_Item"
    assert set(schemas) == {"Problem", "Item", "procurement_Item", "Page"}
    assert merged["paths"]["/api/v1/tenders"]["get"]["operationId"] == "procurement_op"
    assert dangling_refs(merged) == []


def test_openapi_30_rendering_for_the_bundled_swagger_ui() -> None:
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1", "summary": "s"},
        "paths": {},
        "components": {
            "schemas": {
                "A": {
                    "type": "object",
                    "properties": {
                        "n": {"anyOf": [{"type": "integer", "exclusiveMinimum": 0}, {"type": "null"}]},
                        "r": {"anyOf": [{"$ref": "#/components/schemas/B"}, {"type": "null"}]},
                        "c": {"const": "x", "examples": ["x"]},
                    },
                },
                "B": {"type": ["string", "null"]},
            }
        },
    }
    lowered = as_openapi_30(doc)
    props = lowered["components"]["schemas"]["A"]["properties"]
    assert lowered["openapi"] == "3.0.3" and "summary" not in lowered["info"]
    assert props["n"] == {"type": "integer", "minimum": 0, "exclusiveMinimum": True, "nullable": True}
    assert props["r"] == {"allOf": [{"$ref": "#/components/schemas/B"}], "nullable": True}
    assert props["c"] == {"enum": ["x"], "example": "x"}
    assert lowered["components"]["schemas"]["B"] == {"type": "string", "nullable": True}
    assert doc["openapi"] == "3.1.0"  # the input is not modified


async def test_docs_work_offline(gateway: httpx.AsyncClient) -> None:
    page = await gateway.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert not re.search(r"https?://", html)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets) and any(a.endswith(".css") for a in assets)
    for asset in assets:
        resp = await gateway.get(asset)
        assert resp.status_code == 200, asset
        assert resp.content
    init = (await gateway.get("/docs/init.js")).text
    assert "validatorUrl: null" in init and not re.search(r"https?://", init)
    spec_url = re.search(r'url: "([^"]+)"', init)
    assert spec_url is not None
    spec = (await gateway.get(spec_url.group(1))).json()
    assert spec["openapi"] == "3.0.3" and "/api/v1/admin/tenants" in spec["paths"]


@pytest.mark.slow
def test_cli_builds_the_merged_document_in_process(tmp_path: Any) -> None:
    from gateway.cli import app
    from typer.testing import CliRunner

    output = tmp_path / "openapi.json"
    result = CliRunner().invoke(app, ["openapi", "--output", str(output)])
    assert result.exit_code == 0, result.output
    import json

    doc = json.loads(output.read_text())
    assert "/api/v1/admin/api-keys" in doc["paths"] and doc["x-degraded"] == []
    try:
        import registry.main  # noqa: F401
    except ImportError:
        pass
    else:
        assert "/api/v1/organisations" in doc["paths"] and "registry" in doc["x-services"]
    assert_valid(doc)
    assert CliRunner().invoke(app, ["openapi", "--output", str(output), "--check"]).exit_code == 0
    output.write_text("{}")
    assert CliRunner().invoke(app, ["openapi", "--output", str(output), "--check"]).exit_code == 1
