"""Guard expressions: CEL over ``order``, ``event`` and ``settings``.

Expressions are compiled once, when the definition loads, so a syntax error is a load
error with a place. Guards are pure: they read the three variables and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cel

VARIABLES = ("order", "event", "settings")

# The CEL binding reports a parse error as "<input>:LINE:COLUMN: message".
_POSITION = re.compile(r"<input>:(\d+):(\d+):\s*(.*)")

# Macros bind a local name (the `p` of `packages.all(p, ...)`), which the binding lists
# among the expression's variables; such names are not outside variables.
_MACRO_LOCAL = re.compile(r"\.\s*(?:all|exists|exists_one|map|filter)\s*\(\s*([A-Za-z_]\w*)\s*,")


class GuardSyntaxError(ValueError):
    """An expression does not compile. ``line`` and ``column`` are 1-based, inside the text."""

    def __init__(self, message: str, expression: str, line: int = 1, column: int = 1) -> None:
        self.expression = expression
        self.line = line
        self.column = column
        super().__init__(message)


class GuardEvaluationError(ValueError):
    """An expression failed while running, most often because data it reads is missing."""


@dataclass(frozen=True, slots=True)
class CompiledGuard:
    """One compiled expression, callable with the three variables."""

    expression: str
    program: Any
    variables: tuple[str, ...]

    def __call__(
        self,
        order: Mapping[str, Any],
        event: Mapping[str, Any],
        settings: Mapping[str, Any],
    ) -> bool:
        context = {"order": order, "event": event, "settings": settings}
        try:
            result = self.program.execute(context)
        except KeyError as exc:
            raise GuardEvaluationError(f"the data has no {exc.args[0]!r}") from None
        except (RuntimeError, ValueError, TypeError) as exc:
            raise GuardEvaluationError(_first_line(str(exc))) from None

        if not isinstance(result, bool):
            raise GuardEvaluationError(f"the expression gave {result!r}, not true or false")
        return result


def compile_guard(expression: str) -> CompiledGuard:
    """Compile ``expression``; raise :class:`GuardSyntaxError` with its position on failure."""
    if not expression.strip():
        raise GuardSyntaxError("the expression is empty", expression)

    try:
        program = cel.compile(expression)
    except Exception as exc:  # the binding raises ValueError, but any failure is a syntax error
        raise _syntax_error(str(exc), expression) from None

    local = set(_MACRO_LOCAL.findall(expression))
    variables = tuple(name for name in program.variables() if name not in local)
    for name in variables:
        if name not in VARIABLES:
            line, column = _position_of(name, expression)
            raise GuardSyntaxError(
                f"unknown variable {name!r}; an expression reads only "
                + ", ".join(repr(v) for v in VARIABLES),
                expression,
                line,
                column,
            )
    return CompiledGuard(expression, program, variables)


def _syntax_error(message: str, expression: str) -> GuardSyntaxError:
    match = _POSITION.search(message)
    if not match:
        return GuardSyntaxError(_first_line(message), expression)
    line, column, text = int(match[1]), int(match[2]), match[3]
    # The binding already counts lines and columns from 1.
    return GuardSyntaxError(_first_line(text), expression, line, column)


def _position_of(name: str, expression: str) -> tuple[int, int]:
    match = re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", expression)
    if not match:
        return 1, 1
    before = expression[: match.start()]
    return before.count("\n") + 1, match.start() - (before.rfind("\n") + 1) + 1


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "unknown error"
