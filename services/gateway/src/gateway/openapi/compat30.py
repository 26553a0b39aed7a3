"""An OpenAPI 3.0 rendering of the 3.1 document, for the bundled Swagger UI.

The offline Swagger UI (swagger-ui-bundle 4.15) refuses documents whose `openapi` is not 3.0.x. The
public `/openapi.json` stays 3.1; only the copy the docs page loads is lowered here, translating the
JSON Schema 2020-12 idioms FastAPI emits (`anyOf [X, null]`, `const`, numeric exclusive bounds, schema
`examples`) into their 3.0 forms. Once the bundle ships Swagger UI 5 this module can go.
"""

from __future__ import annotations

import copy
from typing import Any

_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_UNSUPPORTED = ("$schema", "$id", "$anchor", "$comment", "contentMediaType", "contentEncoding", "unevaluatedProperties")
_SCHEMA_VALUES = ("items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else")


def _schema(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    out = dict(node)
    for key in _SCHEMA_MAPS:
        if isinstance(out.get(key), dict):
            out[key] = {k: _schema(v) for k, v in out[key].items()}
    for key in _SCHEMA_LISTS:
        if isinstance(out.get(key), list):
            out[key] = [_schema(v) for v in out[key]]
    for key in _SCHEMA_VALUES:
        if isinstance(out.get(key), dict):
            out[key] = _schema(out[key])
    if isinstance(out.get("prefixItems"), list):  # tuples: 3.0 has only a single `items`
        items = out.pop("prefixItems")
        out.setdefault("items", {"anyOf": items} if items else {})
    if isinstance(out.get("type"), list):
        types = [t for t in out["type"] if t != "null"]
        if len(types) < len(out["type"]):
            out["nullable"] = True
        out["type"] = types[0] if len(types) == 1 else out["type"]
        if isinstance(out["type"], list):
            del out["type"]
            out["anyOf"] = [{"type": t} for t in types]
    for key in ("anyOf", "oneOf"):
        variants = out.get(key)
        if isinstance(variants, list) and {"type": "null"} in variants:
            rest = [v for v in variants if v != {"type": "null"}]
            out["nullable"] = True
            if len(rest) == 1 and "$ref" not in rest[0]:
                del out[key]
                out = {**rest[0], **out}
            elif len(rest) == 1:  # a $ref cannot carry siblings in 3.0
                del out[key]
                out["allOf"] = rest
            else:
                out[key] = rest
    if "const" in out:
        out["enum"] = [out.pop("const")]
    for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(out.get(bound), int | float) and not isinstance(out.get(bound), bool):
            out[plain] = out[bound]
            out[bound] = True
    if isinstance(out.get("examples"), list):
        examples = out.pop("examples")
        if examples:
            out["example"] = examples[0]
    for key in _UNSUPPORTED:
        out.pop(key, None)
    return out


def _document(node: Any, parent_key: str | None = None) -> Any:
    if isinstance(node, dict):
        if parent_key == "schema":
            return _schema(node)
        if parent_key == "schemas":
            return {name: _schema(s) for name, s in node.items()}
        return {k: _document(v, k) for k, v in node.items()}
    if isinstance(node, list):
        return [_document(v, parent_key) for v in node]
    return node


def as_openapi_30(document: dict[str, Any]) -> dict[str, Any]:
    lowered = _document(copy.deepcopy(document))
    lowered["openapi"] = "3.0.3"
    for key in ("webhooks", "jsonSchemaDialect"):
        lowered.pop(key, None)
    info = lowered.get("info", {})
    info.pop("summary", None)
    if isinstance(info.get("license"), dict):
        info["license"].pop("identifier", None)
    return lowered
