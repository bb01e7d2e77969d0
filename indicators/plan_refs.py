"""What a plan refers to outside itself: partners (the partner register) and the output
indicators of its actions (the catalogue). An unknown reference is an error that names the
objective (or action), the reference and the close matches, so a misspelt partner never enters
the plan.

The register itself is kept by the application store (written by people); the composition root
hands its ids and names in as a plain mapping, so this layer reads nothing downstream.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from indicators.catalog import Catalog
from indicators.plan import PlanFile

#: The partner register as this layer sees it: id -> its names (Dutch, English).
Register = Mapping[str, Iterable[str]]


@dataclass(frozen=True)
class Reference:
    """One reference that is not known: where (objective and, for an action, its id), which
    part (owner, partner, action owner, output), the value and the close matches."""

    objective_id: str
    action_id: str | None
    part: str
    value: str
    matches: tuple[str, ...]
    kind: str  # "partner" or "indicator"

    def message(self) -> str:
        """One line: ``objective PREV-01: unknown partner 'politezone' (owner); close
        matches: politiezone``."""
        where = f"objective {self.objective_id}"
        if self.action_id:
            where += f", action {self.action_id}"
        what = "partner" if self.kind == "partner" else "output indicator"
        close = (f"; close matches: {', '.join(self.matches)}" if self.matches
                 else "; no close match")
        return f"{where}: unknown {what} '{self.value}' ({self.part}){close}"


def close_matches(value: str, register: Register, n: int = 3) -> tuple[str, ...]:
    """The register's ids closest to ``value``, by id and by name, case-insensitive."""
    keys: dict[str, str] = {}
    for ident, names in register.items():
        keys.setdefault(ident.casefold(), ident)
        for name in names:
            if name:
                keys.setdefault(name.casefold(), ident)
    found = difflib.get_close_matches(value.casefold(), list(keys), n=n * 2, cutoff=0.6)
    out: list[str] = []
    for key in found:
        if keys[key] not in out:
            out.append(keys[key])
    return tuple(out[:n])


def unknown_partners(plan: PlanFile, register: Register) -> list[Reference]:
    """Every owner, contributing partner and action owner the register does not know."""
    known = set(register)
    out = []

    def check(objective_id: str, action_id: str | None, part: str, value: str | None) -> None:
        if value and value not in known:
            out.append(Reference(objective_id, action_id, part, value,
                                 close_matches(value, register), "partner"))

    for o in plan.objectives:
        check(o.id, None, "owner", o.owner)
        for p in o.partners:
            check(o.id, None, "contributing partner", p)
    for a in plan.actions:
        check(a.objective, a.id, "action owner", a.owner)
    return out


def unknown_outputs(plan: PlanFile, catalog: Catalog) -> list[Reference]:
    """Every output indicator of an action that the catalogue does not hold."""
    ids = {i.id: [i.title.nl, i.title.en] for i in catalog}
    return [Reference(a.objective, a.id, "output", out, close_matches(out, ids), "indicator")
            for a in plan.actions for out in a.outputs if out not in ids]


def reference_problems(plan: PlanFile, catalog: Catalog,
                       register: Register | None) -> list[str]:
    """Every unknown reference as one line. Partners are checked once there is a register
    (None or empty: a city that has not loaded its register yet, whose plan names partners as
    free text; :func:`partners_unchecked` says so)."""
    lines = [r.message() for r in unknown_outputs(plan, catalog)]
    if not register:
        return lines
    return [*(r.message() for r in unknown_partners(plan, register)), *lines]


def partners_unchecked(plan: PlanFile, register: Register | None) -> bool:
    """Whether the plan names partners that no register could check (there is none yet)."""
    named = any(o.owner or o.partners for o in plan.objectives) or any(
        a.owner for a in plan.actions)
    return named and not register


__all__ = ["Reference", "Register", "close_matches", "partners_unchecked", "reference_problems",
           "unknown_outputs", "unknown_partners"]
