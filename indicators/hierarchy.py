"""The loaded area hierarchy: which levels there are, coarse to fine, which one is the top (the
city total: a gemeente for a Flemish city, a district for a city of wards) and which top area
every area lies in. Nothing here knows a level by name: it all follows from the parents loaded
with the areas (``area.parent_id`` and ``area_link``).

- A level's **depth** is the mean number of ``parent_id`` steps from its areas to an area
  without a parent (a gemeente 0, its wijken 1, their sectors 2).
- Levels are ordered by depth, then overlays (project areas, which cut across the tiers) after
  the tiers of the same depth, then by fewer areas first.
- The **top level** is the first level, in that order, whose areas have no parent and other
  areas below them; when no level has areas below it, the first level without parents.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb

#: Levels that overlay the tiers (drawn by hand across them) and never hold the city total.
OVERLAY_LEVELS = frozenset({"project"})


@dataclass(frozen=True)
class Hierarchy:
    """The levels of the loaded areas and the top area of each area."""

    levels: list[str]  # coarse to fine
    top: str | None  # the top level (None when no area is loaded)
    sizes: dict[str, tuple[float, int]] = field(repr=False)  # level -> (depth, areas)
    level_of: dict[str, str] = field(repr=False)
    top_of: dict[str, str | None] = field(repr=False)  # area -> its top-level area

    @classmethod
    def of(cls, rows: Iterable[tuple[str, str, str | None]],
           links: Iterable[tuple[str, str]] = ()) -> Hierarchy:
        """The hierarchy of (area id, level, parent id) rows and extra (area, parent) links."""
        level_of: dict[str, str] = {}
        parent: dict[str, str | None] = {}
        for area, level, parent_id in rows:
            level_of[area] = level
            parent[area] = parent_id if isinstance(parent_id, str) and parent_id else None
        parents: dict[str, list[str]] = {a: [p] if p else [] for a, p in parent.items()}
        for area, p in links:
            if area in parents and p in level_of and p not in parents[area]:
                parents[area].append(p)
        depth = _depths(parent)
        with_children = {p for ps in parents.values() for p in ps}
        stats: dict[str, list[int]] = {}
        for area, level in level_of.items():
            stats.setdefault(level, []).append(depth[area])
        order = sorted(stats, key=lambda lv: (sum(stats[lv]) / len(stats[lv]),
                                              lv in OVERLAY_LEVELS, len(stats[lv]), lv))
        roots = [lv for lv in order if lv not in OVERLAY_LEVELS
                 and any(parent[a] is None for a in level_of if level_of[a] == lv)]
        top = next((lv for lv in roots if any(
            a in with_children for a in level_of if level_of[a] == lv)), None)
        top = top or (roots[0] if roots else (order[0] if order else None))
        top_of = {a: _top_ancestor(a, parents, level_of, top) for a in level_of}
        sizes = {lv: (sum(d) / len(d), len(d)) for lv, d in stats.items()}
        return cls(order, top, sizes, level_of, top_of)

    def top_areas(self) -> list[str]:
        """The areas of the top level (the cities), by id."""
        return sorted(a for a, lv in self.level_of.items() if lv == self.top)

    def neighbourhoods(self) -> str | None:
        """The level a city reports its neighbourhoods at: of the tiers next below the top
        level, the one with the most areas (wijk rather than deelgemeente under a gemeente,
        ward under a district); None when nothing lies below the top."""
        if self.top is None:
            return None
        top_depth = self.sizes[self.top][0]
        below = [lv for lv in self.levels if lv not in OVERLAY_LEVELS
                 and self.sizes[lv][0] > top_depth]
        if not below:
            return None
        nearest = min(round(self.sizes[lv][0]) for lv in below)
        return max((lv for lv in below if round(self.sizes[lv][0]) == nearest),
                   key=lambda lv: (self.sizes[lv][1], lv))


def _depths(parent: dict[str, str | None]) -> dict[str, int]:
    """Steps from every area up its ``parent_id`` chain to an area without one (a chain that
    runs into a cycle or an area not loaded stops there)."""
    depth: dict[str, int] = {}
    for start in parent:
        chain: list[str] = []
        node: str | None = start
        seen: set[str] = set()
        while node is not None and node not in depth and node in parent and node not in seen:
            seen.add(node)
            chain.append(node)
            node = parent[node]
        base = depth.get(node, -1) if node is not None else -1
        for i, area in enumerate(reversed(chain)):
            depth[area] = base + 1 + i
    return depth


def _top_ancestor(area: str, parents: dict[str, list[str]], level_of: dict[str, str],
                  top: str | None) -> str | None:
    """The nearest area of the top level among ``area`` and its ancestors (breadth first)."""
    frontier, seen = [area], {area}
    while frontier:
        for node in frontier:
            if level_of.get(node) == top:
                return node
        frontier = [p for node in frontier for p in parents.get(node, []) if p not in seen]
        seen.update(frontier)
    return None


def loaded_hierarchy(con: duckdb.DuckDBPyConnection) -> Hierarchy:
    """The hierarchy of the areas in the warehouse."""
    return Hierarchy.of(
        con.execute("SELECT area_id, level, parent_id FROM area ORDER BY area_id").fetchall(),
        con.execute("SELECT area_id, parent_id FROM area_link ORDER BY 1, 2").fetchall(),
    )


def top_level(con: duckdb.DuckDBPyConnection) -> str | None:
    """The level of the city total in the warehouse (None when no area is loaded)."""
    return loaded_hierarchy(con).top


__all__ = ["OVERLAY_LEVELS", "Hierarchy", "loaded_hierarchy", "top_level"]
