"""Checks the event contracts; exits 1 on any problem.

    .venv/bin/python contracts/check_contracts.py

1. Every file in events/ is a valid JSON Schema (draft 2020-12, `Draft202012Validator.check_schema`),
   and its `$id` is its file name, so the relative `$ref`s between files resolve the same way from a
   checkout, an installed copy or the registry built below.
2. Every `$ref` in every schema resolves (through a `referencing.Registry` holding all the files).
3. Every event schema (`org.localwealth.<service>.<aggregate>.<verb>.v<N>.json`) names its topic,
   producer and key consistently with its type, and its examples validate — and stop validating when any
   required top-level field is removed (a schema that accepts everything checks nothing).
4. asyncapi.yaml references only files that exist (and fragments inside them that exist), its local
   `#/...` references resolve, every event schema has exactly one message with the matching `ce_type`, and
   its channels are exactly the topics (and `.dlq` topics) of deploy/kafka/topics.txt with the same
   partitions, replication and retention.

Loading the schemas elsewhere (tests, a producer's self-check) works the same way as `load_registry()`:
register every file under its `$id`, then `Draft202012Validator(schema, registry=registry)`.
"""

from __future__ import annotations

import copy
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

CONTRACTS = Path(__file__).resolve().parent
EVENTS = CONTRACTS / "events"
ASYNCAPI = CONTRACTS / "asyncapi.yaml"
TOPICS_TXT = CONTRACTS.parent / "deploy" / "kafka" / "topics.txt"
TYPE_FILE = re.compile(r"^org\.localwealth\.([a-z]+)\.([a-z-]+)\.([a-z-]+)\.v([0-9]+)\.json$")
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"

problems: list[str] = []
broken: set[str] = set()  # files that failed check_schema: validating with them would only crash


def problem(where: str, message: str) -> None:
    problems.append(f"{where}: {message}")


def load_schemas() -> dict[str, dict[str, Any]]:
    schemas: dict[str, dict[str, Any]] = {}
    for path in sorted(EVENTS.glob("*.json")):
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            problem(path.name, f"not JSON: {exc}")
            continue
        if schema.get("$schema") != DRAFT_2020_12:
            problem(path.name, f"$schema must be {DRAFT_2020_12}")
        if schema.get("$id") != path.name:
            problem(path.name, f"$id must be the file name, found {schema.get('$id')!r}")
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            problem(path.name, f"invalid JSON Schema: {exc.message} at {list(exc.absolute_path)}")
            broken.add(path.name)
        schemas[path.name] = schema
    if not schemas:
        problem("events/", "no schemas found")
    return schemas


def load_registry(schemas: dict[str, dict[str, Any]]) -> Registry:
    return Registry().with_resources(
        (name, Resource.from_contents(schema, default_specification=DRAFT202012))
        for name, schema in schemas.items()
    )


def refs(node: Any, path: str = "#") -> Iterator[tuple[str, str]]:
    """Yields (location, $ref) for every $ref in a JSON/YAML tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield path, value
            else:
                yield from refs(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from refs(value, f"{path}/{i}")


def check_refs(schemas: dict[str, dict[str, Any]], registry: Registry) -> None:
    for name, schema in schemas.items():
        resolver = registry.resolver(base_uri=name)
        for location, ref in refs(schema):
            try:
                resolver.lookup(ref)
            except Unresolvable as exc:
                problem(name, f"$ref {ref!r} at {location} does not resolve ({type(exc).__name__})")


def check_event_schemas(schemas: dict[str, dict[str, Any]], registry: Registry) -> None:
    for name, schema in schemas.items():
        match = TYPE_FILE.match(name)
        if match is None:
            if name != "common.json":
                problem(
                    name, "neither common.json nor org.localwealth.<service>.<aggregate>.<verb>.v<N>.json"
                )
            continue
        service, aggregate = match.group(1), match.group(2)
        if schema.get("x-topic") != f"{service}.{aggregate}":
            problem(name, f"x-topic must be {service}.{aggregate} (topic = <service>.<aggregate>)")
        if schema.get("x-producer") != service:
            problem(name, f"x-producer must be {service}")
        if schema.get("x-status") not in {"stable", "draft"}:
            problem(name, "x-status must be stable or draft")
        if name in broken or "common.json" in broken:
            continue  # check_schema already reported it; validating with it would only crash
        try:
            check_examples(name, schema, registry)
        except Unresolvable as exc:  # a broken $ref, also reported by check_refs
            problem(name, f"examples could not be checked: a $ref does not resolve ({type(exc).__name__})")


def check_examples(name: str, schema: dict[str, Any], registry: Registry) -> None:
    validator = Draft202012Validator(
        schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    required = resolved_required(schema, registry, name)
    if schema.get("x-key") not in required:
        problem(name, f"x-key {schema.get('x-key')!r} must be a required top-level field")
    if schema.get("additionalProperties", True) is not True:
        problem(name, "top level must allow additional properties (additive evolution, tolerant readers)")
    examples = schema.get("examples") or []
    if not examples:
        problem(name, "needs at least one example")
    for i, example in enumerate(examples):
        for error in validator.iter_errors(example):
            problem(name, f"examples[{i}] is invalid: {error.message} at {list(error.absolute_path)}")
        for field in required:
            trimmed = copy.deepcopy(example)
            trimmed.pop(field, None)
            if validator.is_valid(trimmed):
                problem(name, f"examples[{i}] still validates without required field {field!r}")


def resolved_required(schema: dict[str, Any], registry: Registry, base: str) -> list[str]:
    """Top-level `required`, following a top-level $ref (the registry projections live in common.json)."""
    required = list(schema.get("required", []))
    if "$ref" in schema:
        target = registry.resolver(base_uri=base).lookup(schema["$ref"])
        required += resolved_required(target.contents, registry, urldefrag(urljoin(base, schema["$ref"])).url)
    return required


def read_topics() -> dict[str, tuple[int, int, int, str]]:
    topics: dict[str, tuple[int, int, int, str]] = {}
    for line in TOPICS_TXT.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, partitions, rf, retention, policy = line.split()
            topics[name] = (int(partitions), int(rf), int(retention), policy)
    return topics


def check_asyncapi(schemas: dict[str, dict[str, Any]]) -> None:
    doc = yaml.safe_load(ASYNCAPI.read_text(encoding="utf-8"))
    where = ASYNCAPI.name
    if not str(doc.get("asyncapi", "")).startswith("3."):
        problem(where, "must be an AsyncAPI 3.x document")
    referenced: set[str] = set()
    for location, ref in refs(doc):
        target, fragment = urldefrag(ref)
        if not target:  # local reference
            node: Any = doc
            for part in fragment.lstrip("/").split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                if not isinstance(node, dict) or part not in node:
                    problem(where, f"{location}: local $ref {ref!r} does not resolve")
                    break
                node = node[part]
            continue
        path = (ASYNCAPI.parent / target).resolve()
        if not path.is_file():
            problem(where, f"{location}: $ref {ref!r} names a file that does not exist")
            continue
        referenced.add(path.name)
        if fragment:
            registry = load_registry(schemas)
            try:
                registry.resolver(base_uri=path.name).lookup(urljoin(path.name, "#" + fragment))
            except Unresolvable:
                problem(where, f"{location}: fragment of {ref!r} does not resolve")

    event_files = {name for name in schemas if TYPE_FILE.match(name)}
    for name in sorted(event_files - referenced):
        problem(where, f"no message uses events/{name}")

    messages = (doc.get("components") or {}).get("messages") or {}
    by_type: dict[str, list[str]] = {}
    for key, message in messages.items():
        ce_type = next(
            (
                p["properties"]["ce_type"]["const"]
                for p in (message.get("headers") or {}).get("allOf", [])
                if "ce_type" in (p.get("properties") or {})
            ),
            None,
        )
        if ce_type is None:
            continue
        by_type.setdefault(ce_type, []).append(key)
        payload_ref = ((message.get("payload") or {}).get("schema") or {}).get("$ref", "")
        if Path(payload_ref).name != f"{ce_type}.json" or message.get("name") != ce_type:
            problem(where, f"message {key}: name, ce_type and payload file must all be {ce_type}")
    for name in sorted(event_files):
        count = len(by_type.get(name[: -len(".json")], []))
        if count != 1:
            problem(where, f"{name[:-5]} has {count} messages; expected exactly 1")

    channels = doc.get("channels") or {}
    addresses = {c.get("address"): c for c in channels.values()}
    for key, channel in channels.items():
        for mref in (channel.get("messages") or {}).values():
            message = messages.get(mref.get("$ref", "").rsplit("/", 1)[-1], {})
            topic = schemas.get(f"{message.get('name')}.json", {}).get("x-topic")
            if topic is not None and topic != channel.get("address"):
                problem(where, f"channel {key} carries {message.get('name')}, whose topic is {topic}")
    if TOPICS_TXT.is_file():
        topics = read_topics()
        for name in sorted(set(topics) ^ set(addresses)):
            side = "deploy/kafka/topics.txt" if name in topics else "asyncapi.yaml"
            problem(where, f"topic {name} is only in {side}")
        for name in sorted(set(topics) & set(addresses)):
            partitions, rf, retention, policy = topics[name]
            binding = ((addresses[name].get("bindings") or {}).get("kafka")) or {}
            config = binding.get("topicConfiguration") or {}
            stated = (
                binding.get("partitions"),
                binding.get("replicas"),
                config.get("retention.ms"),
                ",".join(config.get("cleanup.policy") or []),
            )
            if stated != (partitions, rf, retention, policy):
                problem(where, f"channel {name} binding {stated} differs from topics.txt {topics[name]}")
        for name in {t["x-topic"] for t in schemas.values() if "x-topic" in t}:
            for needed in (name, f"{name}.dlq"):
                if needed not in topics:
                    problem("deploy/kafka/topics.txt", f"missing topic {needed}")


def main() -> int:
    schemas = load_schemas()
    registry = load_registry(schemas)
    check_refs(schemas, registry)
    check_event_schemas(schemas, registry)
    check_asyncapi(schemas)
    if problems:
        print(f"check_contracts: {len(problems)} problem(s):", *problems, sep="\n  ", file=sys.stderr)
        return 1
    events = sum(1 for name in schemas if TYPE_FILE.match(name))
    print(
        f"check_contracts: OK — {events} event schemas + common.json, all $refs resolve, "
        f"asyncapi.yaml consistent with them and with deploy/kafka/topics.txt"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
