"""Event logs: JSON Lines, one event per line.

Each line is an object with ``order_id`` and ``event`` (non-empty strings) and optional
``data`` (object), ``actor`` (string), ``at`` (RFC 3339 time with an offset),
``idempotency_key`` (string) and ``format`` (``"shopify"`` or ``"integration-manager"``,
on ``download`` and ``ship`` events only). A null optional key counts as absent. Blank
lines are skipped. A malformed line does not stop the reading: it comes out as an
:class:`~engine.errors.IntakeError` with its line number, in its place among the events.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from os import PathLike
from pathlib import Path
from typing import Any, BinaryIO

from engine.errors import IntakeError
from engine.intake.canonical import canonical_order, canonical_shipment, check_fields
from engine.intake.fields import control_character, kind_of, unencodable
from engine.intake.formats import FORMATS

KEYS = ("order_id", "event", "data", "actor", "at", "idempotency_key", "format")
FORMATTED_EVENTS = ("download", "ship")

# Years an event's ``at`` may fall in: wide for real logs, and far enough from year 1 and
# year 9999 that turning it to UTC or adding retry delays to it cannot leave the calendar.
FIRST_YEAR, LAST_YEAR = 1970, 9000

# RFC 3339 date-time: the offset is required, unlike in ISO 8601.
_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One event read from a log; ``data`` is canonical already."""

    line: int
    order_id: str
    event: str
    data: dict[str, Any]
    actor: str | None
    at: datetime | None
    idempotency_key: str | None
    format: str | None
    raw: str

    @property
    def key(self) -> str:
        """The line's idempotency key, or one derived from its content."""
        return self.idempotency_key or derived_key(self)


def read_event_log(path: str | PathLike[str]) -> Iterator[LogEvent | IntakeError]:
    """Read a log file, yielding each event, or an IntakeError for each malformed line.

    A file that cannot be opened raises the IntakeError at once, from this call: there is
    nothing to go on with.
    """
    source = str(path)
    try:
        # Opened here, not in the generator, so that a missing file fails at the call; the
        # generator closes it.
        handle = Path(path).open("rb")  # noqa: SIM115
    except OSError as exc:
        raise IntakeError(f"cannot read the event log {source!r}: {exc.strerror}") from None
    return _read_file(handle, source)


def _read_file(handle: BinaryIO, source: str) -> Iterator[LogEvent | IntakeError]:
    with handle:
        yield from read_event_lines(handle, source=source)


def read_event_lines(
    lines: Iterable[bytes | str], *, source: str = "<events>"
) -> Iterator[LogEvent | IntakeError]:
    """Like :func:`read_event_log`, over lines already at hand (bytes or text)."""
    for number, line in enumerate(lines, start=1):
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield IntakeError(
                    f"the line is not UTF-8 ({exc.reason})", source=source, line=number
                )
                continue
        if number == 1:
            line = line.removeprefix("\ufeff")

        # Only spaces, tabs and line ends count as blank, as in JSON itself.
        if not line.strip(" \t\r\n"):
            continue
        try:
            yield parse_event_line(line, line=number, source=source)
        except IntakeError as exc:
            yield exc


def parse_event_line(text: str, *, line: int = 1, source: str = "<events>") -> LogEvent:
    """Parse one log line; a malformed one raises IntakeError naming ``source`` and ``line``."""
    raw = text.rstrip("\r\n")
    try:
        record = decode_json(raw)
        fields = _fields(record)
    except IntakeError as exc:
        raise IntakeError(str(exc), source=source, line=line) from None
    return LogEvent(line=line, raw=raw, **fields)


def derived_key(event: LogEvent) -> str:
    """An idempotency key made from the line's content: the same line gives the same key.

    It covers ``order_id``, ``event``, ``data`` and ``at``, so two lines that differ in
    any of them are two events; give repeated operator actions an ``at`` or a key.
    """
    content = [
        event.order_id,
        event.event,
        event.data,
        # One instant written with two offsets is one time.
        event.at.astimezone(UTC).isoformat() if event.at is not None else None,
    ]
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "derived:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def decode_json(raw: str, what: str = "the line") -> Any:
    """Strict JSON: no duplicate keys, no NaN or Infinity; faults raise IntakeError."""
    try:
        return json.loads(raw, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise IntakeError(f"{what} is not valid JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise IntakeError(f"{what} nests JSON too deeply to read") from None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for key, value in pairs:
        if key in record:
            raise IntakeError(f"the key {key!r} appears twice in one object")
        record[key] = value
    return record


def _no_constant(name: str) -> Any:
    raise IntakeError(f"{name} is not a JSON value; use a number or null")


def _fields(record: Any) -> dict[str, Any]:
    """The LogEvent fields of one decoded line (all but ``line`` and ``raw``)."""
    if not isinstance(record, dict):
        raise IntakeError(
            f"the line is {kind_of(record)}; expected a JSON object with order_id and event"
        )

    bad = unencodable(record, "line")
    if bad is not None:
        raise IntakeError(
            f"{bad} holds text that is not valid Unicode (a lone surrogate such as "
            "'\\ud800'); write the character itself or a surrogate pair"
        )

    unknown = [key for key in record if key not in KEYS]
    if unknown:
        raise IntakeError(
            f"unknown key{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}; "
            f"a line may have {', '.join(KEYS)}"
        )

    order_id = _order_id(record)
    event = _name(record, "event")
    format = _format(record.get("format"), event)
    data = _data(record.get("data"), event, format, order_id)
    return {
        "order_id": order_id,
        "event": event,
        "data": data,
        "actor": _optional_text(record, "actor"),
        "at": _time(record.get("at")),
        "idempotency_key": _optional_text(record, "idempotency_key"),
        "format": format,
    }


def _name(record: dict[str, Any], key: str) -> str:
    if key not in record:
        raise IntakeError(f"the line has no {key!r}; every line needs order_id and event")
    value = record[key]
    if not isinstance(value, str) or not value.strip():
        raise IntakeError(f"{key} is {value!r}; expected a non-empty string")
    return value


def _order_id(record: dict[str, Any]) -> str:
    order_id = _name(record, "order_id")
    char = control_character(order_id)
    if char is not None:
        raise IntakeError(
            f"order_id {order_id!r} holds the control character {char!r}; "
            "order ids are printable text"
        )
    return order_id


def _optional_text(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise IntakeError(f"{key} is {value!r}; expected a non-empty string or null")
    return value


def _format(value: Any, event: str) -> str | None:
    if value is None:
        return None
    if value not in FORMATS:
        valid = ", ".join(repr(f) for f in FORMATS)
        raise IntakeError(f"format is {value!r}; known formats: {valid} (or no format)")
    if event not in FORMATTED_EVENTS:
        raise IntakeError(
            f"format {value!r} on a {event!r} event; only download and ship events carry a format"
        )
    return str(value)


def _data(value: Any, event: str, format: str | None, order_id: str) -> dict[str, Any]:
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise IntakeError(f"data is {kind_of(value)}; expected a JSON object")

    try:
        if event == "download":
            if format is None and value.get("id") in (None, ""):
                # Canonical data may leave out the id; the line's order_id is the cart's id.
                value = {**value, "id": order_id}
            order = canonical_order(format, value)
            if format is None and order["id"] != order_id:
                # Guards would read one id and the store key the order by another. (A raw
                # cart order keeps the cart's own id, which may differ from the log's.)
                raise IntakeError(
                    f"id {order['id']!r} differs from the line's order_id {order_id!r}; "
                    "leave id out, or make the two the same"
                )
            return order
        if event == "ship":
            return canonical_shipment(format, value)
        return check_fields(value)
    except IntakeError as exc:
        raise IntakeError(f"{event} data: {exc}") from None


def _time(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        raise IntakeError(
            f"at is {value!r}; expected an RFC 3339 time such as '2026-03-01T09:30:00Z'"
        )
    try:
        when = datetime.fromisoformat(value.upper().replace(" ", "T"))
    except ValueError as exc:
        raise IntakeError(f"at is {value!r}, not a real time: {exc}") from None
    if not FIRST_YEAR <= when.year <= LAST_YEAR:
        raise IntakeError(
            f"at is {value!r}, outside the years {FIRST_YEAR}-{LAST_YEAR} an event may carry"
        )
    return when
