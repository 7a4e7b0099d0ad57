"""Hook adapters: how hook calls reach the WMS and the cart.

``make_adapter(spec, channel)`` builds one from the text a user gives on the command line:
``simulated``, ``record``, or an ``http://`` / ``https://`` URL.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from engine.errors import HookError
from engine.hooks.adapter import Adapter
from engine.hooks.adapters.http import HttpAdapter, sign, verify
from engine.hooks.adapters.python import PythonAdapter
from engine.hooks.adapters.record import RecordingAdapter
from engine.hooks.adapters.simulated import SimulatedCart, SimulatedWms, wms_order_id

__all__ = [
    "HttpAdapter",
    "PythonAdapter",
    "RecordingAdapter",
    "SimulatedCart",
    "SimulatedWms",
    "make_adapter",
    "secret_variables",
    "sign",
    "verify",
    "wms_order_id",
]

VALID_SPECS = "'simulated', 'record', or an http:// or https:// URL"
_SIMULATED = {"wms": SimulatedWms, "cart": SimulatedCart}


def make_adapter(
    spec: str,
    channel: str,
    *,
    settings: Mapping[str, Any] | None = None,
    secret: str | None = None,
) -> Adapter:
    """Build the adapter ``spec`` names for ``channel``.

    For a URL, the HMAC secret is ``secret`` or else the first environment variable of
    :func:`secret_variables` that is set.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise HookError(f"adapter {spec!r} for channel {channel!r} is empty; use {VALID_SPECS}")

    spec = spec.strip()
    if spec == "record":
        return RecordingAdapter(channel)
    if spec == "simulated":
        return _simulated(channel, settings)
    if spec.lower().startswith(("http://", "https://")):
        return HttpAdapter(spec, channel, secret=secret or _secret_from_env(channel))

    raise HookError(f"unknown adapter {spec!r} for channel {channel!r}; use {VALID_SPECS}")


def secret_variables(channel: str) -> tuple[str, str]:
    """Environment variables read for a channel's HMAC secret, most specific first."""
    return f"LIFECYCLE_{channel.upper()}_SECRET", "LIFECYCLE_HOOK_SECRET"


def _simulated(channel: str, settings: Mapping[str, Any] | None) -> Adapter:
    if channel == "wms":
        return SimulatedWms(settings)
    if channel == "cart":
        return SimulatedCart()
    raise HookError(
        f"there is no simulated {channel!r}; simulated channels: {', '.join(_SIMULATED)}"
    )


def _secret_from_env(channel: str) -> str | None:
    for name in secret_variables(channel):
        if os.environ.get(name):
            return os.environ[name]
    return None
