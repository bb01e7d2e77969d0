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
            "is.",
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
        "never negative) confirms that no hidden figure can be determined.",
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
) -> set[Cell]:
    """The shown cells to suppress: the primary ones and enough complementary ones that no
    suppressed cell (nor a primary cell that is not shown) can be derived.

    ``values`` holds every cell of every group (shown or not); ``cost`` says which cells are
    cheapest to hide (default: their value); a group's total is hidden only as a last resort.
    ``counts`` are the cells that hold counts (default: all): a zero count is never hidden, so
    a reader knows that every hidden count is at least 1, and the audit assumes so too.
    """
    shown = set(shown)
    primary = set(primary)
    cost = cost if cost is not None else values
    counts = set(values) if counts is None else set(counts)
    floor = {c: 1.0 for c in counts if values.get(c, 0.0) >= 1.0}
    in_groups = {c for g in groups for c in g.cells()}
    hidden = (in_groups | primary) - shown
    suppressed = primary & shown
    by_cell: dict[Cell, list[Group]] = defaultdict(list)
    for g in groups:
        for c in g.cells():
            by_cell[c].append(g)

    def rank(c: Cell, g: Group) -> tuple:
        return (c == g.total, abs(cost.get(c, 0.0)), c)

    def hideable(c: Cell) -> bool:
        """A shown cell that may be hidden: never a zero count (zeros are always shown)."""
        return c in shown and c not in suppressed and not (c in counts and c not in floor)

    def must(c: Cell) -> bool:
        return c in suppressed or (c in hidden and c in primary)

    while True:
        changed = True
        while changed:  # every line with exactly one unknown cell gets a second one
            changed = False
            for g in groups:
                unknown = [c for c in g.cells() if c in suppressed or c in hidden]
                if len(unknown) != 1 or not must(unknown[0]):
                    continue
                free = [c for c in g.cells() if hideable(c)]
                if free:
                    suppressed.add(min(free, key=lambda c, g=g: rank(c, g)))
                    changed = True
        bad = {c for c in determined(values, suppressed | hidden, groups, floor) if must(c)}
        if not bad:
            return suppressed
        added: set[Cell] = set()
        for c in sorted(bad):  # one more cell next to each determined one, then check again
            options = [g for g in by_cell[c] if any(hideable(x) for x in g.cells())]
            if not options or any(x in added for g in by_cell[c] for x in g.cells()):
                continue
            g = min(options, key=lambda g: (sum(x in suppressed or x in hidden
                                                for x in g.cells()), g.total))
            free = [x for x in g.cells() if hideable(x)]
            pick = min(free, key=lambda x, g=g: rank(x, g))
            suppressed.add(pick)
            added.add(pick)
        if not added:
            raise ValueError(f"cannot protect {sorted(bad)[:3]}: every related cell is hidden")


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


__all__ = ["MARK", "Cell", "Group", "Thresholds", "determined", "protect", "rules",
           "small_count", "small_sample"]
