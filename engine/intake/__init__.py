"""Intake: event logs and cart payloads, turned into events with canonical data."""

from engine.intake.canonical import (
    ORDER_FIELDS,
    PACKAGE_FIELDS,
    SHIP_TO_FIELDS,
    canonical_order,
    canonical_shipment,
)
from engine.intake.events import (
    LogEvent,
    derived_key,
    parse_event_line,
    read_event_lines,
    read_event_log,
)
from engine.intake.formats import FORMATS

__all__ = [
    "FORMATS",
    "ORDER_FIELDS",
    "PACKAGE_FIELDS",
    "SHIP_TO_FIELDS",
    "LogEvent",
    "canonical_order",
    "canonical_shipment",
    "derived_key",
    "parse_event_line",
    "read_event_lines",
    "read_event_log",
]
