"""What is said about a file as it is loaded, beyond its content: a delivery.

The person loading a file may give a value for a field of every row (``--category`` of a
one-type extract, ``--level`` of an area file), the period the file covers
(``--period-start``/``--period-end``), ask for an earlier delivery to be applied again
(``--reapply``); the load itself finds the earlier loads of the very same file that it replaces.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType


@dataclass(frozen=True)
class Delivery:
    """One file's delivery: overrides, strictness, declared period, re-apply, replaced loads."""

    overrides: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    strict: bool = False
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    reapply: bool = False
    #: The delivery's name (default: the file's name): files of one name are one delivery.
    name: str | None = None
    #: Earlier loads of this same file (same checksum and kind) through another profile or with
    #: other overrides: their rows are replaced by this load, never counted twice.
    supersedes: tuple[int, ...] = ()

    def options(self) -> str | None:
        """What was said beyond the file, as JSON for ``load_log.options`` (None: nothing)."""
        data: dict[str, object] = dict(sorted(self.overrides.items()))
        if self.period_start or self.period_end:
            data["period"] = [_iso(self.period_start), _iso(self.period_end)]
        if self.name:
            data["delivery"] = self.name
        if self.reapply:
            data["reapply"] = True
        return json.dumps(data, sort_keys=True) if data else None

    def same_options(self, logged: str | None) -> bool:
        """Whether ``logged`` (a load's ``options``) holds the same overrides and period."""
        mine = json.loads(self.options() or "{}")
        theirs = json.loads(logged or "{}")
        mine.pop("reapply", None)
        theirs.pop("reapply", None)
        return mine == theirs

    def tag(self, path: Path) -> str:
        """The tag of this delivery's content ids (rows without an id of their own): its name
        (the file's name unless named) and the category given, so the same row in two files,
        or in two one-type extracts, stays two rows, while a corrected file of the same name
        replaces its predecessor. A compressed file is named as the file it holds
        (``asb.tsv.gz`` is the delivery ``asb.tsv``)."""
        given = self.overrides.get("category") or self.overrides.get("type") or ""
        name = self.name or re.sub(r"\.gz$", "", path.name, flags=re.IGNORECASE)
        text = f"{name}\x1f{given}"
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def id_prefix(self) -> str:
        """Put before every id the file gives: the category given on the command line, so two
        one-type extracts that number their rows alike stay apart."""
        given = self.overrides.get("category") or self.overrides.get("type")
        return f"{given}/" if given else ""


def month_end(day: dt.date) -> dt.date:
    """The last day of the month ``day`` falls in."""
    nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
