"""Lifecycle definitions: loading, checking and the plain-data model."""

from engine.definition.loader import check_definition, load_definition, read_source
from engine.definition.schema import lifecycle_schema

__all__ = ["check_definition", "lifecycle_schema", "load_definition", "read_source"]
