"""Small numbers never leak: primary and complementary suppression for the public audience.

The problem is stated on *cells*: a cell is one figure (``(key, area, period)``) with its true
value. Some cells are **shown**; the others a reader does not see (suppressed, or never
published). **Groups** are the linear relations a reader knows: a total equals the (weighted)
sum of its members, e.g. a city's yearly count is the sum of its wijken (and the part assigned to
no wijk), a wijk's total over the years the sum of its years, a baseline the sum of its baseline
years, a survey's city share the weighted mean of the wijken's shares.

The rules (in words: :func:`rules`):

- **primary**: a count from 1 to ``min_count - 1`` (default 1-4) is suppressed; zero is shown
  (it says nothing about a person). A share, mean or median that rests on an effective number of
  observations below ``min_neff`` (default 30) is suppressed;
- **complementary**: no group may have exactly one unknown cell (it would be its total minus the
  rest), so another cell of the group is suppressed: the smallest one, a total only when nothing
  else is left. This repeats until no group has exactly one unknown cell;
- **audit**: then :func:`determined` solves the whole linear system a reader has (every shown
  cell, every group, and that counts are not negative); any suppressed cell still determined
  gets another complementary cell, until none is.

Everything here is pure: mappings and sets in, sets out. The thresholds come from
``core.settings`` (``IVM_PUBLIC_MIN_COUNT``, ``IVM_PUBLIC_MIN_NEFF``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from core.settings import setting

#: A figure: (key, area id, period).
Cell = tuple[str, str, str]

#: What a suppressed cell shows.
MARK = "x"


@dataclass(frozen=True)
class Thresholds:
    """The public audience's thresholds."""

    min_count: int = 5
    min_neff: float = 30.0

    @classmethod
    def from_settings(cls) -> Thresholds:
        """The thresholds of ``IVM_PUBLIC_MIN_COUNT`` and ``IVM_PUBLIC_MIN_NEFF``."""
        return cls(int(setting("public_min_count")), float(setting("public_min_neff")))



def rules(t: Thresholds, lang: str = "nl") -> list[str]:
    """The suppression rules as sentences, with the thresholds filled in."""
    c, n = t.min_count, _num(t.min_neff)
    if lang == "nl":
        return [
            f"Aantallen van 1 tot en met {c - 1} worden niet getoond (x). Een nul wordt wel "
            "getoond: die zegt niets over een persoon.",
            f"Aandelen, gemiddelden en medianen die op minder dan {n} (effectieve) waarnemingen "
            "rusten, worden niet getoond (x). Bij een bevraging telt de effectieve steekproef "
            "(Kish), die kleiner is dan het aantal respondenten als de gewichten verschillen.",
            "Aanvullende onderdrukking: een verborgen cijfer mag niet terug te rekenen zijn uit "
            "wat wel getoond wordt (totalen van de stad, van een wijk over de jaren, de "
            "basiswaarde over de basisjaren, het vorige of volgende jaar). Daarom wordt in elke "
            "rij, kolom of som met één verborgen cijfer nog een cijfer verborgen (het kleinste), "
            "en een controle die het hele stelsel van vergelijkingen oplost (met de regel dat "
            "aantallen niet negatief zijn) bevestigt dat geen enkel verborgen cijfer te bepalen "
            f"is, en dat een verborgen klein aantal altijd minstens {c - 1} mogelijke waarden "
            "houdt (bijvoorbeeld 1 tot 4, nooit '1 of 2').",
            "Over publicaties heen: elke vernieuwing van de cijfers is een nieuwe publicatie. "
            "Een cijfer dat eerder verborgen was, blijft verborgen zolang het niet verandert, en "
            "de controle rekent met de vorige publicatie erbij, zodat ook het verschil tussen "
            "twee publicaties geen verborgen cijfer prijsgeeft.",
            "Een x betekent dus: een klein aantal, of een cijfer dat een klein aantal beschermt; "
            "beide zien er hetzelfde uit. Rijen over afzonderlijke feiten, meldingen of "
            "respondenten staan nooit in de publieke versie.",
            "Geregistreerde prestaties van partners (minimum n = 0 in de catalogus) gaan niet "
            "over personen en worden altijd getoond.",
        ]
    return [
        f"Counts from 1 to {c - 1} are not shown (x). A zero is shown: it says nothing about a "
        "person.",
        f"Shares, means and medians resting on fewer than {n} (effective) observations are not "
        "shown (x). For a survey the effective sample size (Kish) counts, which is smaller than "
        "the number of respondents when the weights vary.",
        "Complementary suppression: no hidden figure may be derivable from what is shown (city "
        "totals, an area's total over the years, the baseline over its years, the previous or "
        "next year). Every row, column or sum with one hidden figure gets a second one hidden "
        "(the smallest), and a check that solves the whole system of equations (with counts "
        "never negative) confirms that no hidden figure can be determined, and that a hidden "
        f"small count always keeps at least {c - 1} possible values (say 1 to 4, never '1 or "
        "2').",
        "Across releases: every refresh of the figures is a new release. A figure hidden before "
        "stays hidden while it does not change, and the check includes the previous release, "
        "so the difference between two releases gives no hidden figure away either.",
        "An x therefore means: a small number, or a figure protecting a small number; both look "
        "the same. Rows about single offences, reports or respondents never appear in the "
        "public version.",
        "Registered partner outputs (minimum n = 0 in the catalogue) are not about persons and "
        "are always shown.",
    ]


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


@dataclass(frozen=True)
class Group:
    """A linear relation a reader knows: ``total = sum(weight_i * member_i)``."""

    total: Cell
    members: tuple[Cell, ...]
    weights: tuple[float, ...] | None = None

    def cells(self) -> tuple[Cell, ...]:
        """The total and the members."""
        return (self.total, *self.members)

    def coefficients(self) -> list[tuple[Cell, float]]:
        """The relation as ``sum(coef * cell) = 0``."""
        weights = self.weights or (1.0,) * len(self.members)
        out: dict[Cell, float] = defaultdict(float)
        out[self.total] -= 1.0
        for m, w in zip(self.members, weights, strict=True):
            out[m] += w
        return list(out.items())


def small_count(value: float | None, t: Thresholds) -> bool:
    """A count that the primary rule suppresses: from 1 up to ``min_count - 1``."""
    return value is not None and 0 < value < t.min_count


def small_sample(n_eff: float | None, t: Thresholds) -> bool:
    """A share, mean or median on too few (effective) observations (or an unknown number)."""
    return n_eff is None or n_eff < t.min_neff


def protect(
    values: Mapping[Cell, float], shown: Iterable[Cell], primary: Iterable[Cell],
    groups: Sequence[Group], cost: Mapping[Cell, float] | None = None,
    counts: Iterable[Cell] | None = None,
    widths: Mapping[Cell, float] | None = None,
    known: Iterable[Cell] = (), keep: Iterable[Cell] = (),
) -> set[Cell]:
    """The shown cells to suppress: the primary ones and enough complementary ones that no
    suppressed cell (nor a primary cell that is not shown) can be derived, nor a primary cell
    narrowed below its width.

    ``values`` holds every cell of every group (shown or not); ``cost`` says which cells are
    cheapest to hide (default: their value); a group's total is hidden only as a last resort.
    ``counts`` are the cells that hold counts (default: all): a zero count is never hidden, so
    a reader knows that every hidden count is at least 1, and the audit assumes so too.
    ``widths``: for a primary cell, how far apart its smallest and largest possible value (a
    linear programme each; whole numbers for counts) must stay: for a small count
    ``min_count - 2``, so a reader is left with at least ``min_count - 1`` values (1 to 4, or 2
    to 5, ...) and never with "1 or 2".
    ``known``: cells a reader knows from an earlier release (never hidden: it would protect
    nothing); ``keep``: shown cells an earlier release hid, hidden again (see :func:`carry`).
    """
    shown = set(shown)
    primary = set(primary)
    widths = dict(widths or {})
    known = set(known) - primary
    cost = cost if cost is not None else values
    counts = set(values) if counts is None else set(counts)
    floor = {c: 1.0 for c in counts if values.get(c, 0.0) >= 1.0}
    in_groups = {c for g in groups for c in g.cells()}
    hidden = (in_groups | primary) - shown - known
    suppressed = (primary | set(keep)) & shown - known
    by_cell: dict[Cell, list[Group]] = defaultdict(list)
    for g in groups:
        for c in g.cells():
            by_cell[c].append(g)
    memo: dict = {}

    def hideable(c: Cell) -> bool:
        """A shown cell that may be hidden: never a zero count (zeros are always shown), never
        one a reader knows already."""
        return (c in shown and c not in suppressed and c not in known
                and not (c in counts and c not in floor))

    def must(c: Cell) -> bool:
        return c in suppressed or (c in hidden and c in primary)

    def unknown(c: Cell) -> bool:
        return c in suppressed or c in hidden

    def complement(c: Cell, need: float) -> Cell | None:
        """A cell to hide next to ``c``: in the nearest group (through hidden cells) that has
        one, the cheapest; with ``need`` > 0, preferably one that can move by that much."""
        seen_groups: set[int] = set()
        frontier, seen = [c], {c}
        while frontier:
            near = [g for x in frontier for g in by_cell[x] if id(g) not in seen_groups]
            seen_groups |= {id(g) for g in near}
            options = [g for g in near if any(hideable(x) for x in g.cells())]
            if options:
                g = min(options, key=lambda g: (sum(unknown(x) for x in g.cells()), g.total))
                return min((x for x in g.cells() if hideable(x)), key=lambda x, g=g: (
                    x == g.total, values.get(x, 0.0) - floor.get(x, 0.0) < need,
                    abs(cost.get(x, 0.0)), x))
            frontier = [x for g in near for x in g.cells() if unknown(x) and x not in seen]
            seen |= set(frontier)
        return None

    while True:
        changed = True
        while changed:  # every line with exactly one unknown cell gets a second one
            changed = False
            for g in groups:
                hid = [c for c in g.cells() if unknown(c)]
                if len(hid) != 1 or not must(hid[0]):
                    continue
                free = [c for c in g.cells() if hideable(c)]
                if free:
                    suppressed.add(min(free, key=lambda c, g=g: (
                        c == g.total, abs(cost.get(c, 0.0)), c)))
                    changed = True
        secret = suppressed | hidden
        bad = {c for c in determined(values, secret, groups, floor) if must(c)}
        need = 0.0
        if not bad:
            narrow = narrowed(values, secret, groups, floor,
                              {c: w for c, w in widths.items() if must(c)}, counts, memo)
            if not narrow:
                return suppressed & shown
            bad = set(narrow)
            need = max(widths[c] for c in bad)
        added: set[Cell] = set()
        for c in sorted(bad):  # one more cell next to each, then check again
            if any(x in added for g in by_cell[c] for x in g.cells()):
                continue
            pick = complement(c, need)
            if pick is not None:
                suppressed.add(pick)
                added.add(pick)
        if not added and need:
            # every figure that could still widen them is hidden or known from the release
            # before (published under other thresholds, say): as protected as they can be
            return suppressed & shown
        if not added:
            raise ValueError(f"cannot protect {sorted(bad)[:3]}: every related cell is hidden")


def intervals(
    values: Mapping[Cell, float], unknown: Iterable[Cell], groups: Sequence[Group],
    floor: Mapping[Cell, float] | None = None, cells: Iterable[Cell] | None = None,
) -> dict[Cell, tuple[float, float]]:
    """The smallest and largest value a reader can give each unknown cell (of ``cells``,
    default all), knowing the shown cells, the groups and the lower bounds (``floor``: a hidden
    count is at least 1; other cells at least 0): two linear programmes per cell."""
    unknown = set(unknown)
    wanted = unknown if cells is None else set(cells) & unknown
    out: dict[Cell, tuple[float, float]] = {}
    for comp, rows in _components(unknown, groups):
        targets = [c for c in comp if c in wanted]
        if targets:
            system = _System(values, comp, rows, floor or {})
            out |= {c: (system.low(c), system.high(c)) for c in targets}
    return out


class _System:
    """The linear system a reader has for one component of unknown cells."""

    def __init__(self, values: Mapping[Cell, float], comp: list[Cell], rows: list[Group],
                 floor: Mapping[Cell, float]) -> None:
        self.index = {c: i for i, c in enumerate(comp)}
        self.a = np.zeros((len(rows), len(comp)))
        for r, g in enumerate(rows):
            for c, coef in g.coefficients():
                if c in self.index:
                    self.a[r, self.index[c]] += coef
        self.x = np.array([values.get(c, 0.0) for c in comp])
        self.b = self.a @ self.x  # what the shown cells leave for the hidden ones
        self.bounds = [(floor.get(c, 0.0), None) for c in comp]

    def _solve(self, c: Cell, sign: float) -> float | None:
        e = np.zeros(len(self.index))
        e[self.index[c]] = sign
        res = linprog(e, A_eq=self.a, b_eq=self.b, bounds=self.bounds, method="highs")
        return sign * res.fun if res.status == 0 else None

    def low(self, c: Cell) -> float:
        """The smallest value ``c`` can have."""
        found = self._solve(c, 1.0)
        return self.x[self.index[c]] if found is None else found

    def high(self, c: Cell) -> float:
        """The largest value ``c`` can have (infinite when nothing bounds it)."""
        found = self._solve(c, -1.0)
        return float("inf") if found is None else found


def narrowed(
    values: Mapping[Cell, float], unknown: Iterable[Cell], groups: Sequence[Group],
    floor: Mapping[Cell, float], widths: Mapping[Cell, float],
    counts: Iterable[Cell] = (), memo: dict | None = None,
) -> set[Cell]:
    """The cells of ``widths`` a reader can narrow: whose smallest and largest possible value
    (whole numbers for ``counts``) lie closer together than its width. ``memo`` keeps the
    verdicts per component between calls (a component that did not change keeps them)."""
    counts = set(counts)
    memo = {} if memo is None else memo
    out: set[Cell] = set()
    for comp, rows in _components(set(unknown), groups):
        targets = [c for c in comp if c in widths]
        if not targets:
            continue
        key = (tuple(comp), tuple(sorted(id(g) for g in rows)))
        if key not in memo:
            system = _System(values, comp, rows, floor)
            found = set()
            for c in targets:
                whole = c in counts
                v = values.get(c, 0.0)
                hi = system.high(c)
                hi = np.floor(hi + 1e-6) if whole else hi
                if hi - v >= widths[c] - 1e-9:  # wide enough above its value alone
                    continue
                lo = system.low(c)
                lo = np.ceil(lo - 1e-6) if whole else lo
                if hi - lo < widths[c] - 1e-9:
                    found.add(c)
            memo[key] = found
        out |= memo[key]
    return out


def determined(
    values: Mapping[Cell, float], unknown: Iterable[Cell], groups: Sequence[Group],
    floor: Mapping[Cell, float] | None = None,
) -> set[Cell]:
    """The unknown cells whose value a reader can work out exactly from the known cells and
    the groups: by linear algebra (a cell is determined when its unit vector lies in the row
    space of the system), and by the lower bounds a reader knows (``floor``: a hidden count is
    at least 1 when zeros are always shown; other cells at least 0): where unknown cells sit on
    their bound, a small linear programme per cell asks whether it can move at all."""
    unknown = set(unknown)
    floor = floor or {}
    out: set[Cell] = set()
    for cells, rows in _components(unknown, groups):
        index = {c: i for i, c in enumerate(cells)}
        a = np.zeros((len(rows), len(cells)))
        for r, g in enumerate(rows):
            for c, coef in g.coefficients():
                if c in index:
                    a[r, index[c]] += coef
        null = _null_space(a)
        norms = np.linalg.norm(null, axis=1) if null.size else np.zeros(len(cells))
        fixed = {cells[i] for i in range(len(cells)) if norms[i] < 1e-9}
        out |= fixed
        if null.size:
            at_bound = [index[c] for c in cells
                        if values.get(c, 0.0) <= floor.get(c, 0.0) + 1e-12]
            if at_bound:
                moving = _moving(null, at_bound)
                out |= {c for i, c in enumerate(cells) if not moving[i]}
    return out


def _components(unknown: set[Cell], groups: Sequence[Group]):
    """The groups that touch unknown cells, split into independent systems."""
    parent: dict[Cell, Cell] = {}

    def find(c: Cell) -> Cell:
        while parent.setdefault(c, c) != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    touching = []
    for g in groups:
        cs = [c for c in g.cells() if c in unknown]
        if not cs:
            continue
        touching.append((g, cs))
        for c in cs[1:]:
            parent[find(c)] = find(cs[0])
        find(cs[0])
    comps: dict[Cell, tuple[set[Cell], list[Group]]] = {}
    for g, cs in touching:
        cells, rows = comps.setdefault(find(cs[0]), (set(), []))
        cells.update(cs)
        rows.append(g)
    for root in sorted(comps):
        cells, rows = comps[root]
        yield sorted(cells), rows


def _null_space(a: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the null space of ``a`` (as columns)."""
    n = a.shape[1]
    if a.shape[0] == 0:
        return np.eye(n)
    _, s, vt = np.linalg.svd(a)
    tol = max(a.shape) * np.finfo(float).eps * (s[0] if s.size else 0.0) * 1e3
    rank = int((s > tol).sum())
    return vt[rank:].T


def _moving(null: np.ndarray, at_bound: list[int]) -> np.ndarray:
    """Which cells can move at all, when the cells at their lower bound may only go up.

    One linear programme finds the cells at their bound that can go up (the most of them
    at once: maximise the sum of ``t_i`` with direction ``d_i >= t_i``, ``0 <= t_i <= 1``); the
    others are pinned, and every direction that keeps them where they are is a subspace, so the
    rest is linear algebra again."""
    k, m = null.shape[1], len(at_bound)
    rows = null[at_bound]
    scale = max(1.0, float(np.abs(rows).max()))
    a_ub = np.hstack([-rows / scale, np.eye(m)])
    c = np.concatenate([np.zeros(k), -np.ones(m)])
    res = linprog(c, A_ub=a_ub, b_ub=np.zeros(m), bounds=[(None, None)] * k + [(0, 1)] * m,
                  method="highs")
    up = res.x[k:] > 0.5 if res.status == 0 else np.zeros(m, dtype=bool)
    pinned = rows[~up]
    basis = null @ _null_space(pinned) if len(pinned) else null
    return np.linalg.norm(basis, axis=1) > 1e-9 if basis.size else np.zeros(len(null), bool)


#: The key prefix of an earlier release's cell whose value has changed since: a figure of its
#: own in the joint system of both releases.
EARLIER = "earlier:"


@dataclass
class Published:
    """One public release as the next one must know it: every cell's true value (kept with the
    warehouse, never published), the figures shown, the figures hidden (x), the primary cells
    with their widths, the counts and the groups a reader knows."""

    values: dict[Cell, float]
    figures: set[Cell]
    hidden: set[Cell]
    primary: set[Cell]
    widths: dict[Cell, float]
    counts: set[Cell]
    groups: list[Group]
    #: The thresholds it was decided with (min_count, min_neff).
    thresholds: tuple[float, float] | None = None

    def to_json(self) -> str:
        """The release as JSON (cells as lists)."""
        cells = sorted(self.values)
        index = {c: i for i, c in enumerate(cells)}
        return json.dumps({
            "cells": [list(c) for c in cells], "values": [self.values[c] for c in cells],
            "figures": sorted(index[c] for c in self.figures),
            "hidden": sorted(index[c] for c in self.hidden),
            "primary": sorted(index[c] for c in self.primary if c in index),
            "widths": [[index[c], w] for c, w in sorted(self.widths.items()) if c in index],
            "counts": sorted(index[c] for c in self.counts if c in index),
            "groups": [[index[g.total], [index[m] for m in g.members],
                        list(g.weights) if g.weights else None] for g in self.groups],
            "thresholds": list(self.thresholds) if self.thresholds else None,
        }, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Published:
        """A release written by :meth:`to_json`."""
        d = json.loads(text)
        cells = [tuple(c) for c in d["cells"]]
        return cls({c: float(v) for c, v in zip(cells, d["values"], strict=True)},
                   {cells[i] for i in d["figures"]}, {cells[i] for i in d["hidden"]},
                   {cells[i] for i in d["primary"]},
                   {cells[i]: float(w) for i, w in d["widths"]},
                   {cells[i] for i in d["counts"]},
                   [Group(cells[t], tuple(cells[m] for m in ms), tuple(w) if w else None)
                    for t, ms, w in d["groups"]],
                   tuple(d["thresholds"]) if d.get("thresholds") else None)


@dataclass
class Carried:
    """What an earlier release adds to the next one's decision (:func:`carry`)."""

    values: dict[Cell, float]
    groups: list[Group]
    primary: set[Cell]
    widths: dict[Cell, float]
    counts: set[Cell]
    known: set[Cell]
    keep: set[Cell]


def carry(earlier: Published, values: Mapping[Cell, float]) -> Carried:
    """The earlier release as part of the next one's system: a reader holds both, so the
    decision is made on both at once (:func:`protect` with the result's parts added).

    A cell whose value has not changed is one figure in both releases; one that has changed is
    a figure of its own (key prefixed :data:`EARLIER`), tied to the rest by the earlier
    release's groups, so a difference between the two releases is an equation like any other.
    What the earlier release showed, a reader knows (``known``); what it hid stays hidden while
    its value is the same (``keep``), and its primary cells stay protected (``primary``,
    ``widths``) wherever the next release's figures could give them away."""

    def same(c: Cell) -> bool:
        return c in values and abs(values[c] - earlier.values[c]) <= 1e-9 * max(
            1.0, abs(values[c]))

    def name(c: Cell) -> Cell:
        return c if same(c) else (EARLIER + c[0], c[1], c[2])

    return Carried(
        {name(c): v for c, v in earlier.values.items() if not same(c)},
        [Group(name(g.total), tuple(name(m) for m in g.members), g.weights)
         for g in earlier.groups],
        {name(c) for c in earlier.primary & earlier.hidden},
        {name(c): w for c, w in earlier.widths.items() if c in earlier.hidden},
        {name(c) for c in earlier.counts},
        {name(c) for c in earlier.figures},
        {c for c in earlier.hidden if same(c)},
    )


__all__ = ["EARLIER", "MARK", "Carried", "Cell", "Group", "Published", "Thresholds", "carry",
           "determined", "intervals", "narrowed", "protect", "rules", "small_count",
           "small_sample"]
