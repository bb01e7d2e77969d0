"""Structured logs: one event per line, as text or as one JSON object (``IVM_LOG_FORMAT``).

Every event has a time (UTC, ISO 8601 with milliseconds), a level, an event name and the fields
its writer gives (a request: request id, role, hashed account, path, status, duration in ms,
data version; a load; a publish). Writers never put a person's name, e-mail or address in a
field: an account is named by :func:`account_hash` only. Messages of other ``ivmonitor.*``
loggers (a server that is not ready) come out in the same shape, as event ``message``.

The app servers write to standard output (:func:`configure` with ``to="stdout"``), the command
line to standard error (its standard output is its answer), and only in ``json`` format: in
``text`` it writes its errors only (a publish that could not reach the servers), its own
summary lines saying the rest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import sys
from typing import Any

from core.settings import setting

#: The logger every event goes to (its children: ``ivmonitor.health``, ...).
ROOT = "ivmonitor"
FORMATS = ("text", "json")

_events = logging.getLogger(f"{ROOT}.events")


def event(name: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log event ``name`` with ``fields`` (plain values)."""
    if _events.isEnabledFor(level):
        _events.log(level, name, extra={"ivm_event": name, "ivm_fields": fields})


def account_hash(key: bytes, name: str | None) -> str | None:
    """An account's name as a log may carry it: a keyed hash (12 hex digits), the same on
    every server sharing the key, that cannot be turned back into the name."""
    if not name:
        return None
    return hmac.new(key, name.encode(), hashlib.sha256).hexdigest()[:12]


def log_format() -> str:
    """``text`` or ``json`` (``IVM_LOG_FORMAT``); anything else is read as ``text``."""
    value = setting("log_format").strip().lower()
    return value if value in FORMATS else "text"


def _parts(record: logging.LogRecord) -> dict[str, Any]:
    stamp = dt.datetime.fromtimestamp(record.created, dt.UTC)
    head = {"time": stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "event": getattr(record, "ivm_event", "message")}
    fields = getattr(record, "ivm_fields", None)
    if fields is None:
        return {**head, "logger": record.name, "message": record.getMessage()}
    return {**head, **fields}


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:  # noqa: D102
        return json.dumps(_parts(record), ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``time level event key=value ...`` (fields without a value left out)."""

    def format(self, record: logging.LogRecord) -> str:  # noqa: D102
        parts = _parts(record)
        head = f"{parts.pop('time')} {parts.pop('level')} {parts.pop('event')}"
        rest = " ".join(f"{k}={json.dumps(v, ensure_ascii=False, default=str)}"
                        if isinstance(v, str) and (" " in v or not v) else f"{k}={v}"
                        for k, v in parts.items() if v is not None)
        return f"{head} {rest}".rstrip()


class _Stream(logging.StreamHandler):
    """Writes to the process's standard output or error as it is when the event comes (a
    test runner may swap them)."""

    def __init__(self, to: str):
        super().__init__()
        self._to = to

    @property
    def stream(self):  # noqa: D102
        return sys.stdout if self._to == "stdout" else sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure(to: str, level: int = logging.INFO) -> None:
    """Send this process's events at ``level`` and above to ``to`` (``stdout`` or
    ``stderr``) in the configured format; calling again replaces the earlier set-up."""
    root = logging.getLogger(ROOT)
    for old in [h for h in root.handlers if isinstance(h, _Stream)]:
        root.removeHandler(old)
    handler = _Stream(to)
    handler.setFormatter(JsonFormatter() if log_format() == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False


__all__ = ["FORMATS", "JsonFormatter", "TextFormatter", "account_hash", "configure", "event",
           "log_format"]
