"""Suppression across releases and ranges: a hidden small count can be neither recovered nor
narrowed to fewer than min_count - 1 possible values (1 to 4, 2 to 5, ...) by an outsider who
holds every figure of two consecutive public releases, their totals and their differences."""

from __future__ import annotations

import random
from collections import defaultdict

import numpy as np
import pytest
from scipy.optimize import linprog

from dashboard.export.suppress import (
    Group,
    Published,
    Thresholds,
    carry,
    protect,
    small_count,
)

T = Thresholds()
#: A hidden small count must be left among at least min_count - 1 values (1 to 4, 2 to 5, ...).
WIDTH = float(T.min_count - 2)


def table(values: list[list[int]]) -> tuple[dict, list[Group]]:
    """Rows (wijken) x columns (years) with row totals, column totals and a grand total."""
    cells: dict = {}
    groups = []
    nr, nc = len(values), len(values[0])
    for i in range(nr):
        for j in range(nc):
            cells[("k", f"w{i}", f"y{j}")] = float(values[i][j])
    for i in range(nr):
        cells[("k", f"w{i}", "T")] = float(sum(values[i]))
        groups.append(Group(("k", f"w{i}", "T"), tuple(("k", f"w{i}", f"y{j}")
                                                         for j in range(nc))))
    for j in range(nc):
        cells[("k", "T", f"y{j}")] = float(sum(values[i][j] for i in range(nr)))
        groups.append(Group(("k", "T", f"y{j}"), tuple(("k", f"w{i}", f"y{j}")
                                                        for i in range(nr))))
    cells[("k", "T", "T")] = float(sum(map(sum, values)))
    groups.append(Group(("k", "T", "T"), tuple(("k", f"w{i}", "T") for i in range(nr))))
    return cells, groups


def release(cells: dict, groups: list[Group], earlier: Published | None = None,
            widths: bool = True) -> Published:
    """A public release of the table, decided as the export decides it."""
    primary = {c for c, v in cells.items() if small_count(v, T)}
    rng = dict.fromkeys(primary, WIDTH) if widths else {}
    values, all_groups, counts = dict(cells), list(groups), set(cells)
    known, keep = set(), set()
    if earlier is not None:
        extra = carry(earlier, cells)
        values.update(extra.values)
        all_groups += extra.groups
        primary_all = primary | extra.primary
        rng = {**extra.widths, **rng}
        counts |= extra.counts
        known, keep = extra.known, extra.keep
    else:
        primary_all = primary
    hidden = protect(values, set(cells), primary_all, all_groups, counts=counts, widths=rng,
                     known=known, keep=keep)
    return Published(dict(cells), set(cells) - hidden, hidden, primary,
                     dict.fromkeys(primary, WIDTH), set(cells), list(groups))


def attack(releases: list[Published]) -> dict:
    """What an outsider learns of every hidden primary figure of the releases, holding all of
    them: the smallest and largest value it can have (a linear programme each, on each
    independent part of the system). A figure that kept its value is one unknown in every
    release (the outsider guesses right which did); a hidden count is at least 1 (zeros are
    shown), every other figure at least 0; counts are whole numbers."""
    last = releases[-1].values

    def name(n: int, r: Published, c):
        return c if n == len(releases) - 1 or last.get(c) == r.values[c] else (n, c)

    known: dict = {}
    equations: list[dict] = []
    floor: dict = {}
    whole: set = set()
    for n, r in enumerate(releases):
        for c in r.figures:
            known[name(n, r, c)] = r.values[c]
        for c in r.counts:
            whole.add(name(n, r, c))
        for c in r.hidden & r.counts:
            floor[name(n, r, c)] = 1.0
        for g in r.groups:
            eq: dict = {}
            for c, coef in g.coefficients():
                eq[name(n, r, c)] = eq.get(name(n, r, c), 0.0) + coef
            equations.append(eq)
    parent: dict = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for eq in equations:
        free = [c for c in eq if c not in known]
        for c in free[1:]:
            parent[find(c)] = find(free[0])
    parts: dict = defaultdict(list)
    for eq in equations:
        free = [c for c in eq if c not in known]
        if free:
            parts[find(free[0])].append(eq)
    out = {}
    targets = {name(n, r, c): (n, c) for n, r in enumerate(releases)
               for c in r.primary & r.hidden}
    for eqs in parts.values():
        cells = sorted({c for eq in eqs for c in eq if c not in known}, key=str)
        wanted = [c for c in cells if c in targets]
        if not wanted:
            continue
        idx = {c: i for i, c in enumerate(cells)}
        a = np.zeros((len(eqs), len(cells)))
        b = np.zeros(len(eqs))
        for i, eq in enumerate(eqs):
            for c, w in eq.items():
                if c in idx:
                    a[i, idx[c]] += w
                else:
                    b[i] -= w * known[c]
        bounds = [(floor.get(c, 0.0), None) for c in cells]
        for c in wanted:
            e = np.zeros(len(cells))
            e[idx[c]] = 1.0
            lo = linprog(e, A_eq=a, b_eq=b, bounds=bounds, method="highs")
            hi = linprog(-e, A_eq=a, b_eq=b, bounds=bounds, method="highs")
            assert lo.status == 0, "the true values satisfy what the outsider knows"
            low, high = lo.fun, (-hi.fun if hi.status == 0 else float("inf"))
            if c in whole:
                low, high = np.ceil(low - 1e-6), np.floor(high + 1e-6)
            out[targets[c]] = (low, high)
    for n, r in enumerate(releases):  # hidden figures in no relation at all: anything
        for c in r.primary & r.hidden:
            out.setdefault((n, c), (floor.get(name(n, r, c), 0.0), float("inf")))
    return out


def exposed(releases: list[Published]) -> dict:
    """The hidden primary figures an outsider narrows below their width (counts) or pins
    exactly (shares and means), holding all the releases."""
    out = {}
    for (n, c), (lo, hi) in attack(releases).items():
        width = releases[n].widths.get(c, 0.0)
        if hi - lo < max(width, 1e-6) - 1e-9:
            out[(n, c)] = (lo, hi)
    return out


def test_a_small_count_is_left_among_four_values_at_least():
    cells, groups = table([[20, 30, 40], [25, 1, 35], [50, 2, 70]])
    r = release(cells, groups)
    assert not exposed([r])


@pytest.mark.parametrize("seed", range(10))
def test_no_hidden_count_is_narrowed_in_random_tables(seed):
    rng = random.Random(seed)
    vals = [[rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 40]) for _ in range(rng.randint(2, 5))]]
    vals += [[rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 40]) for _ in vals[0]]
             for _ in range(rng.randint(1, 5))]
    cells, groups = table(vals)
    assert not exposed([release(cells, groups)])


def test_without_the_range_rule_the_attack_narrows_cells():
    """The attack is not blind: deciding only that no cell is determined (the rule before)
    leaves hidden counts an outsider narrows to fewer than four values."""
    hits = 0
    for seed in range(10):
        rng = random.Random(seed)
        vals = [[rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 40]) for _ in range(rng.randint(2, 5))]]
        vals += [[rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 40]) for _ in vals[0]]
                 for _ in range(rng.randint(1, 5))]
        cells, groups = table(vals)
        hits += len(exposed([release(cells, groups, widths=False)]))
    assert hits > 0


def _two_releases():
    """A month later: wijk w1's count of year y2 went from 3 to 6 (three late reports), the
    rest kept its value."""
    first = [[20, 30, 40], [25, 35, 3], [50, 60, 12]]
    second = [[20, 30, 40], [25, 35, 6], [50, 60, 12]]
    return table(first), table(second)


def test_differencing_two_releases_recovers_a_cell_hidden_one_release_at_a_time():
    (c1, g1), (c2, g2) = _two_releases()
    r1 = release(c1, g1)
    r2 = release(c2, g2)  # decided without the first release
    assert attack([r1, r2])[(0, ("k", "w1", "y2"))] == (3, 3)


def test_the_next_release_keeps_the_earlier_suppressions_and_gives_nothing_away():
    (c1, g1), (c2, g2) = _two_releases()
    r1 = release(c1, g1)
    r2 = release(c2, g2, earlier=r1)
    assert {c for c in r1.hidden if c1[c] == c2.get(c)} <= r2.hidden
    assert not exposed([r1, r2])


@pytest.mark.parametrize("seed", range(8))
def test_random_consecutive_releases_give_nothing_away(seed):
    rng = random.Random(seed)
    nr, nc = rng.randint(2, 5), rng.randint(2, 4)
    first = [[rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 40]) for _ in range(nc)] for _ in range(nr)]
    second = [[v + (rng.choice([0, 0, 0, 1, 3]) if j == nc - 1 else 0)
               for j, v in enumerate(row)] for row in first]  # the last year grows
    (c1, g1), (c2, g2) = table(first), table(second)
    r1 = release(c1, g1)
    r2 = release(c2, g2, earlier=r1)
    assert not exposed([r1, r2])


def test_a_release_survives_its_json():
    cells, groups = table([[20, 30, 40], [25, 1, 35], [50, 2, 70]])
    r = release(cells, groups)
    again = Published.from_json(r.to_json())
    assert again == r
