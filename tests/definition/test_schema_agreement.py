"""The schema and the loader agree: every key the loader reads is in the schema, and back."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import engine.definition.build as build_module
import engine.definition.checks as checks_module
from engine.definition.schema import lifecycle_schema, schema_text


def schema_properties(node: Any) -> Iterator[str]:
    """Every property name declared anywhere in the schema."""
    if isinstance(node, dict):
        yield from node.get("properties", {})
        for value in node.values():
            yield from schema_properties(value)
    elif isinstance(node, list):
        for item in node:
            yield from schema_properties(item)


def keys_read_by(module: Any) -> set[str]:
    """String keys a module reads from documents: ``x.get("key", ...)`` and ``x["key"]``."""
    tree = ast.parse(Path(module.__file__).read_text("utf-8"))
    keys: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            keys.add(node.args[0].value)
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
        ):
            keys.add(node.slice.value)
    return keys


def test_every_key_the_loader_reads_is_in_the_schema() -> None:
    declared = set(schema_properties(lifecycle_schema()))
    read = keys_read_by(build_module) | keys_read_by(checks_module)

    assert read - declared == set()


def test_every_schema_property_is_read_by_the_loader() -> None:
    declared = set(schema_properties(lifecycle_schema()))
    read = keys_read_by(build_module) | keys_read_by(checks_module)

    assert declared - read == set()


def test_schema_is_read_from_the_package() -> None:
    bundled = resources.files("engine.schema").joinpath("lifecycle.schema.json").read_text()

    assert schema_text() == bundled
    assert json.loads(bundled)["$id"].startswith("urn:lifecycle-engine:schema:lifecycle:")


def test_objects_refuse_unknown_keys() -> None:
    def objects(node: Any) -> Iterator[dict[str, Any]]:
        if isinstance(node, dict):
            if "properties" in node:
                yield node
            for value in node.values():
                yield from objects(value)
        elif isinstance(node, list):
            for item in node:
                yield from objects(item)

    found = list(objects(lifecycle_schema()))
    assert len(found) >= 10
    assert all(obj.get("additionalProperties") is False for obj in found)
