"""Unknown query parameters are a 422, not silently ignored (SPEC §3.3): a typo like `?legal_fom=` would
otherwise return unfiltered data that looks right."""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant

from localwealth_shared.http.problems import Unprocessable

_ALLOWED_CACHE: dict[int, frozenset[str]] = {}


def _allowed_query_names(route: object) -> frozenset[str]:
    key = id(route)
    allowed = _ALLOWED_CACHE.get(key)
    if allowed is None:
        dependant = getattr(route, "dependant", None)
        names: set[str] = set()
        if dependant is not None:
            _collect_query_names(dependant, names)
        allowed = frozenset(names)
        _ALLOWED_CACHE[key] = allowed
    return allowed


def _collect_query_names(dependant: Dependant, names: set[str]) -> None:
    for param in dependant.query_params:
        names.add(param.alias)
        names.add(param.name)
        # A Pydantic model used as the query (Query() on a BaseModel) contributes its fields.
        model_fields = getattr(getattr(param, "field_info", None), "annotation", None)
        for field_name, info in getattr(model_fields, "model_fields", {}).items():
            names.add(info.alias or field_name)
    for sub in dependant.dependencies:
        _collect_query_names(sub, names)


async def forbid_unknown_query_params(request: Request) -> None:
    route = request.scope.get("route")
    if route is None or not request.query_params:
        return
    allowed = _allowed_query_names(route)
    unknown = sorted({name for name in request.query_params if name not in allowed})
    if unknown:
        raise Unprocessable(
            f"unknown query parameter{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}",
            code="unknown_query_parameter",
            errors=[
                {"loc": ["query", name], "msg": "unknown query parameter", "type": "extra_forbidden"}
                for name in unknown
            ],
        )
