"""`GET /openapi.json`: the merged document of the whole public API (services that are down are left out)."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.openapi.compat30 import as_openapi_30
from gateway.openapi.merge import merge_documents
from gateway.openapi.sources import ServiceDocuments

router = APIRouter()


async def merged_document(request: Request) -> dict[str, Any]:
    sources: ServiceDocuments = request.app.state.service_documents
    documents, degraded = await sources.fetch_all()
    return merge_documents(request.app.openapi(), documents, degraded=degraded)


def _json(document: dict[str, Any]) -> Response:
    return Response(orjson.dumps(document), media_type="application/json", headers={"Cache-Control": "no-cache"})


@router.get("/openapi.json", include_in_schema=False)
async def openapi_document(request: Request) -> Response:
    return _json(await merged_document(request))


@router.get("/docs/openapi.json", include_in_schema=False)
async def openapi_document_for_docs(request: Request) -> Response:
    """The same document lowered to OpenAPI 3.0, which the bundled Swagger UI can render."""
    return _json(as_openapi_30(await merged_document(request)))
