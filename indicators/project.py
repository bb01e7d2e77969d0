"""A project area's places: the area itself, its buffer and its control, and the displacement
check of an objective set on it (:mod:`indicators.displacement`).

A project area is made of statistical sectors (its ``area_link`` children). Its **buffer** is
what the objective declares (``buffer:`` in the plan, any areas, read as their sectors) or, by
default, the other sectors of the wijken the project lies in: the streets next door. Its
**control** is what the objective's ``comparison`` names, or the rest of the city without the
project and its buffer. The counts before are the objective's baseline years; after, the last
12 complete months.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from indicators.catalog import Indicator
from indicators.displacement import Counts, Displacement, scaled
from indicators.plan import Objective, PlanFile
from indicators.progress import baseline_years
from indicators.results import STORED, Tables, level_months, root_area

#: The months after: the last year, so that a baseline of whole years compares season for season.
AFTER_MONTHS = 12


@dataclass(frozen=True)
class Places:
    """The sectors of a project area, of its buffer and of its control."""

    project: frozenset[str]
    buffer: frozenset[str]
    control: frozenset[str]
    level: str
    root: str
    buffer_declared: bool
    control_declared: bool


def _members(con: duckdb.DuckDBPyConnection, areas: list[str]) -> dict[str, set[str]]:
    """The smallest areas each area is made of (an area without members is its own)."""
    out: dict[str, set[str]] = {a: set() for a in areas}
    for child, parent in con.execute(
            "SELECT area_id, parent_id FROM area_link WHERE parent_id IN (SELECT unnest(?))",
            [areas]).fetchall():
        out[parent].add(child)
    return {a: (m or {a}) for a, m in out.items()}


def _levels(con: duckdb.DuckDBPyConnection, areas: set[str]) -> dict[str, str]:
    return dict(con.execute("SELECT area_id, level FROM area WHERE area_id IN (SELECT unnest(?))",
                            [sorted(areas)]).fetchall())


def places(con: duckdb.DuckDBPyConnection, obj: Objective, area: str) -> Places | None:
    """The places of ``obj`` in ``area`` (None when the area is not made of smaller areas, or
    nothing lies around it)."""
    project = _members(con, [area])[area]
    if project == {area}:
        return None
    levels = _levels(con, project)
    if len(set(levels.values())) != 1:
        return None
    level = next(iter(levels.values()))
    root = root_area(con, area)
    everything = {a for (a,) in con.execute(
        "WITH RECURSIVE under AS (SELECT area_id FROM area WHERE area_id = ? UNION "
        "SELECT c.area_id FROM area c JOIN under u ON c.parent_id = u.area_id) "
        "SELECT a.area_id FROM area a JOIN under u USING (area_id) WHERE a.level = ?",
        [root, level]).fetchall()}
    if obj.buffer:
        buffer = set().union(*_members(con, list(obj.buffer)).values())
    else:
        buffer = {s for (s,) in con.execute(
            "SELECT DISTINCT l2.area_id FROM area_link l1 "
            "JOIN area p ON p.area_id = l1.parent_id AND p.level = 'wijk' "
            "JOIN area_link l2 ON l2.parent_id = l1.parent_id "
            "WHERE l1.area_id IN (SELECT unnest(?))", [sorted(project)]).fetchall()}
        buffer -= project
    comparison = obj.comparison_areas("project")
    if isinstance(comparison, list):
        control = set().union(*_members(con, comparison).values())
    else:
        control = everything - project - buffer
    if not buffer or not control:
        return None
    return Places(frozenset(project), frozenset(buffer), frozenset(control), level, root,
                  bool(obj.buffer), isinstance(comparison, list))


def problems(con: duckdb.DuckDBPyConnection, obj: Objective) -> list[tuple[str, str]]:
    """What is wrong with an objective's declared buffer and control: (code, message) for a
    buffer that includes the project area and a control that overlaps the project or its
    buffer (either would measure the project against itself)."""
    if not obj.areas or not (obj.buffer or isinstance(obj.comparison, list)):
        return []
    named = list(obj.areas) + list(obj.buffer or [])
    if isinstance(obj.comparison, list):
        named += obj.comparison
    members = _members(con, sorted(set(named)))
    project = set().union(*(members[a] for a in obj.areas))
    buffer = set().union(*(members[a] for a in obj.buffer or [])) - set()
    out: list[tuple[str, str]] = []
    for b in obj.buffer or []:
        if b in obj.areas or members[b] & project:
            out.append(("buffer_includes_project",
                        f"buffer area '{b}' includes (part of) the project area "
                        f"{', '.join(obj.areas)}"))
    for c in obj.comparison if isinstance(obj.comparison, list) else []:
        if c in obj.areas or members[c] & project:
            out.append(("control_overlaps_project",
                        f"control area '{c}' overlaps the project area {', '.join(obj.areas)}"))
        elif members[c] & buffer:
            out.append(("control_overlaps_buffer",
                        f"control area '{c}' overlaps the project's buffer"))
    return out


def plan_problems(con: duckdb.DuckDBPyConnection, plan: PlanFile) -> list[str]:
    """Every objective's buffer or control problem (:func:`problems`) as one line naming the
    objective: a plan with one is refused."""
    return [f"objective {obj.id}: {message}" for obj in plan.objectives
            for _, message in problems(con, obj)]


def displacement(con: duckdb.DuckDBPyConnection, ind: Indicator, obj: Objective, area: str,
                 phi: float = 1.0, tables: Tables = STORED) -> dict | None:
    """The displacement check of ``obj`` in the project area ``area``, as a mapping for the
    stored evidence (None when it cannot be made: not a count, not a project area, no baseline
    or no complete year after it)."""
    if ind.kind.noise != "poisson" or obj.baseline is None:
        return None
    try:
        first, last = baseline_years(obj.baseline.period)
    except ValueError:
        return None
    where = places(con, obj, area)
    if where is None:
        return None
    months = level_months(con, ind, where.level, dt.date(first, 1, 1), dt.date(9999, 12, 31),
                          tables, where.root)
    starts = sorted({m for rows in months.values() for m, _, _ in rows})
    after = [m for m in starts if m.year > last][-AFTER_MONTHS:]
    before = [m for m in starts if first <= m.year <= last]
    if len(after) < AFTER_MONTHS or not before:
        return None

    def counts(sectors: frozenset[str]) -> Counts:
        b = a = 0.0
        lo = after[0]
        for s in sectors:
            for m, c, _ in months.get(s, []):
                if m >= lo:
                    a += c
                elif m.year <= last:
                    b += c
        return Counts(b, a)

    result: Displacement | None = scaled(counts(where.project), counts(where.buffer),
                                         counts(where.control), phi)
    if result is None:
        return None
    out = result.as_dict()
    out.update(before=f"{first}-{last}" if first != last else str(first),
               after=f"{after[0]:%Y-%m}/{after[-1]:%Y-%m}",
               buffer_areas=len(where.buffer), control_areas=len(where.control),
               buffer_declared=where.buffer_declared, control_declared=where.control_declared,
               months_before=len(before), months_after=len(after))
    return out
