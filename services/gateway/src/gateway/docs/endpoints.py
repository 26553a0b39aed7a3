"""`GET /docs`: Swagger UI served from the installed `swagger_ui_bundle` package, so it works with no internet."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

router = APIRouter()

STATIC_PATH = "/docs/static"

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>localwealth API</title>
  <link rel="stylesheet" href="{root}{static}/swagger-ui.css">
  <link rel="icon" type="image/png" href="{root}{static}/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{root}{static}/swagger-ui-bundle.js"></script>
  <script src="{root}/docs/init.js"></script>
</body>
</html>
"""

# validatorUrl null: Swagger UI would otherwise send the document to an online validator for its badge.
INIT_SCRIPT = """window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: "%(root)s/docs/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
};
"""


def static_files() -> StaticFiles:
    return StaticFiles(directory=str(swagger_ui_path))


@router.get("/docs", include_in_schema=False)
async def swagger_ui(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "").rstrip("/")
    return HTMLResponse(PAGE.format(root=root, static=STATIC_PATH))


@router.get("/docs/init.js", include_in_schema=False)
async def swagger_ui_init(request: Request) -> Response:
    root = request.scope.get("root_path", "").rstrip("/")
    return Response(INIT_SCRIPT % {"root": root}, media_type="text/javascript")
