"""What differs between two plan versions (or between a stored version and a file claiming its
name): objectives added and dropped, and every changed field (targets, deadlines, baselines,
owners, ...), the same for actions, and the plan's own declaration (title, approval, reporting
calendar).

``ivm plan diff OLD NEW``, the dashboard's plan page and the refusal to reload an approved
version with other content all read :func:`diff_plans`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from indicators.plan import PlanFile


@dataclass(frozen=True)
class Change:
    """One difference: ``kind`` is added, dropped or changed; ``item`` is ``plan``,
    ``objective`` or ``action``; ``ident`` its id; ``field`` the changed field's path
    (``target.change``) with its old and new value."""

    kind: str
    item: str
    ident: str
    field: str | None = None
    old: Any = None
    new: Any = None

    def line(self) -> str:
        """One line for people: ``PREV-01 target.change: -0.35 -> -0.25``."""
        if self.kind in ("added", "dropped"):
            return f"{self.item} {self.ident} {self.kind}"
        name = "plan" if self.item == "plan" else f"{self.item} {self.ident}"
        return f"{name} {self.field}: {_text(self.old)} -> {_text(self.new)}"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"kind": self.kind, "item": self.item, "id": self.ident, "field": self.field,
                "old": self.old, "new": self.new}


def _text(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _flat(data: Any, prefix: str = "") -> dict[str, Any]:
    """A nested mapping as ``{dotted.path: value}`` (lists stay whole)."""
    if not isinstance(data, dict):
        return {prefix: data}
    out: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            out.update(_flat(value, path))
        else:
            out[path] = value
    return out


def _fields(item: str, ident: str, old: dict, new: dict) -> list[Change]:
    a, b = _flat(old), _flat(new)
    return [Change("changed", item, ident, key, a.get(key), b.get(key))
            for key in sorted(set(a) | set(b)) if a.get(key) != b.get(key)]


def _items(item: str, old: list[dict], new: list[dict]) -> list[Change]:
    before = {x["id"]: x for x in old}
    after = {x["id"]: x for x in new}
    out = [Change("dropped", item, i) for i in before if i not in after]
    out += [Change("added", item, i) for i in after if i not in before]
    for i in before:
        if i in after:
            out += _fields(item, i, before[i], after[i])
    return out


def diff_plans(old: PlanFile, new: PlanFile, *, ignore_version: bool = True) -> list[Change]:
    """Every difference from ``old`` to ``new``: the plan's declaration (its version itself
    left out unless ``ignore_version`` is False), objectives, actions."""
    a, b = old.model_dump(mode="json"), new.model_dump(mode="json")
    if ignore_version:
        a["plan"].pop("version", None)
        b["plan"].pop("version", None)
    changes = _fields("plan", "", a["plan"], b["plan"])
    changes += _items("objective", a["objectives"], b["objectives"])
    changes += _items("action", a.get("actions") or [], b.get("actions") or [])
    return changes


def summary(changes: list[Change], limit: int = 5) -> str:
    """The first ``limit`` changes in one line (and how many more)."""
    shown = "; ".join(c.line() for c in changes[:limit])
    more = f" (and {len(changes) - limit} more)" if len(changes) > limit else ""
    return shown + more


__all__ = ["Change", "diff_plans", "summary"]
