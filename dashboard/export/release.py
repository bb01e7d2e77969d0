"""The public release of the council workbook's figures: every figure a cell, every sum a
reader could redo a group, every small figure a primary cell.

:class:`Release` is filled sheet by sheet by :func:`dashboard.export.figures.council_figures`;
:func:`dashboard.export.suppress.protect` then decides, over all cells at once, which to hide.
The rows it builds (:class:`AreaRow`, :class:`DetailRow`, :class:`ObjectiveFigures`) are what
the workbook, the public CSV tables and the dashboard's public audience show.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from dashboard.export.suppress import Cell, Group, Thresholds
from indicators import Indicator, Objective, Series, baseline_years


@dataclass
class AreaRow:
    """One row of the Wijken sheet: an indicator in one area, per year and in total."""

    indicator: Indicator
    area_id: str
    name: str
    level: str  # "wijk", "rest" (assigned to no wijk) or "gemeente"
    values: dict[int, float | None]
    total: float | None
    cells: dict[int, Cell]
    total_cell: Cell | None
    #: The 95 % interval of a year's value, where the indicators layer computes one.
    intervals: dict[int, tuple[float, float]] = field(default_factory=dict)


@dataclass
class DetailRow:
    """One row of an objective's detail table (a year, a wave or the current window)."""

    period: str
    kind: str  # "year", "wave", "window"
    value: float | None
    ci_low: float | None
    ci_high: float | None
    numerator: float | None
    denominator: float | None
    n: int | None
    n_eff: float | None
    cell: Cell


@dataclass
class ObjectiveFigures:
    """One status record with what the workbook shows next to it."""

    record: dict[str, Any]
    indicator: Indicator | None
    rows: list[DetailRow]
    base_cell: Cell | None
    current_cell: Cell | None
    relative_target: bool
    #: The noise test pools a small count since the baseline: its p-value would tell it.
    small_test: bool = False


def family(ind: Indicator) -> str:
    """How the public audience protects an indicator: ``count`` (counts and rates: the facts
    counted), ``share`` (shares and means), ``direct`` (medians, percentiles) or ``open``
    (registered outputs with minimum n 0: always shown)."""
    kind = ind.kind
    if ind.min_n <= 0:
        return "open"
    if kind.noise == "poisson":
        return "count"
    if kind.value_rule == "ratio":
        return "share"
    if kind.value_rule == "direct":
        return "direct"
    return "open"


def cell_key(ind: Indicator) -> str:
    """The key of an indicator's cells: counts and rates that count the same facts share one
    (a rate shows its count to anyone who knows the population)."""
    if ind.kind.noise != "poisson":
        return f"ind:{ind.id}"
    spec = ind.model_dump(mode="json", by_alias=True)
    filters = {c: (sorted(map(str, v)) if isinstance(v, list) else
                   {"not": sorted(map(str, v["not"]))}) for c, v in spec["filters"].items()}
    text = json.dumps({"source": ind.source, "filters": filters, "event": ind.event},
                      sort_keys=True)
    return f"facts:{ind.source}:{hashlib.sha1(text.encode()).hexdigest()[:12]}"


def thresholds_for(ind: Indicator, t: Thresholds) -> Thresholds:
    """The thresholds for one indicator: its own minimum n raises the audience's."""
    return Thresholds(max(t.min_count, ind.min_n), max(t.min_neff, float(ind.min_n)))


@dataclass
class _Value:
    n: int
    numerator: float | None
    denominator: float | None
    value: float | None
    n_eff: float | None
    interval: tuple[float, float] | None = None


def fill(ind: Indicator, values: dict, pops: dict, areas: list[str], years: list[int],
          present: set, levels: dict[str, str]) -> dict[tuple[str, int], _Value]:
    """The indicator's yearly values in the areas, zeros filled in for counts, rates and sums
    where the level has values that year (as :func:`indicators.results.values` does)."""
    rule = ind.kind.value_rule
    out = {}
    for a in areas:
        for y in years:
            got = values.get((ind.id, a, y))
            if got is not None:
                n, num, den, v, neff, low, high = got
                out[a, y] = _Value(int(n or 0), num, den, v, neff,
                                   (low, high) if low is not None and high is not None
                                   else None)
            elif rule in ("num", "rate") and (ind.id, levels.get(a), y) in present:
                den = None
                if rule == "rate":
                    pop = [p for p in pops.get(a, []) if p[0] <= y]
                    if pop:
                        den = pop[-1][1] if ind.population == "inhabitants" else pop[-1][2]
                    den = float(den) if den is not None else None
                out[a, y] = _Value(0, 0.0, den, 0.0 if rule == "num" or den else None, None)
    return out


class Release:
    """The cells, groups and primary cells of the public release, built sheet by sheet: every
    figure the workbook shows is a cell, every sum a reader could redo is a group, every small
    figure a primary cell (:func:`dashboard.export.suppress.protect` decides what to hide)."""

    def __init__(self, t: Thresholds) -> None:
        self.t = t
        self.values: dict[Cell, float] = {}
        self.cost: dict[Cell, float] = {}
        self.shown: set[Cell] = set()
        self.primary: set[Cell] = set()
        self.counts: set[Cell] = set()
        #: Per primary count: how far apart its smallest and largest possible value must stay.
        self.widths: dict[Cell, float] = {}
        self.groups: list[Group] = []
        self._group_keys: set[tuple] = set()
        self._data: dict[tuple[str, str, int], _Value] = {}

    def cell(self, ind: Indicator, area: str, period: str, v: _Value) -> Cell:
        """Register the (shown) cell of an indicator's value ``v`` in an area and period: a
        count's cell holds its count (a rate's: its numerator), another's its value and n."""
        fam = family(ind)
        c = (cell_key(ind), area, period)
        if fam == "count":
            x = float(v.numerator or 0.0)
            small = 0 < x < thresholds_for(ind, self.t).min_count
            cost = x
            self.counts.add(c)
        else:
            x = v.value or 0.0
            ne = v.n_eff if v.n_eff is not None else v.n
            small = fam != "open" and (ne is None or ne < thresholds_for(ind, self.t).min_neff)
            cost = ne or 0.0
        self.values.setdefault(c, x)
        self.cost.setdefault(c, cost)
        self.shown.add(c)
        if small:
            self.primary.add(c)
            if fam == "count":
                self.widths.setdefault(c, float(thresholds_for(ind, self.t).min_count - 2))
        return c

    def group(self, total: Cell, members: Sequence[Cell],
              weights: Sequence[float] | None = None) -> None:
        key = (total, tuple(members), tuple(weights) if weights else None)
        if key in self._group_keys or not members:
            return
        self._group_keys.add(key)
        self.groups.append(Group(total, tuple(members), tuple(weights) if weights else None))

    def add_table(self, ind: Indicator, rows: dict[tuple[str, int], _Value],
                  wijken: list[tuple[str, str]], city: tuple[str, str] | None,
                  years: list[int], names: dict) -> list[AreaRow]:
        """The Wijken rows of one indicator: wijken, the rest, the city; with their cells."""
        if city is None:
            return []
        fam = family(ind)
        rule = ind.kind.value_rule
        additive = rule in ("num", "rate")
        cid = city[0]
        rest: dict[int, _Value] = {}
        for y in years:
            c = rows.get((cid, y))
            parts = [rows.get((w, y)) for w, _ in wijken]
            if c is None or c.numerator is None or any(p is None for p in parts):
                continue
            num = c.numerator - sum(p.numerator or 0.0 for p in parts)
            den = ((c.denominator or 0.0) - sum(p.denominator or 0.0 for p in parts)
                   if c.denominator is not None else None)
            n = c.n - sum(p.n for p in parts)
            if rule == "num":
                value = num
            elif rule == "rate":
                value = num * (ind.factor or 1.0) / den if den and den > 1e-9 else None
            elif rule == "ratio" and den and den > 1e-6 * (c.denominator or 1.0):
                value = num / den
            else:
                value = None
            rest[y] = _Value(n, num, den, value, None if rule != "ratio" else _neff_rest(
                c, parts))
        has_rest = any(abs(r.numerator or 0.0) > 1e-9 for r in rest.values()) and (
            additive or any(r.value is not None for r in rest.values()))
        areas = [(w, n, "wijk") for w, n in wijken]
        if has_rest:
            areas.append(("", "", "rest"))
            for y, v in rest.items():
                rows[("", y)] = v
        areas.append((cid, city[1], "gemeente"))
        out = []
        key_years = [y for y in years if all((a, y) in rows for a, _, _ in areas)]
        span = f"{key_years[0]}-{key_years[-1]}" if key_years else ""
        for a, name, level in areas:
            vals, cells, intervals = {}, {}, {}
            for y in years:
                v = rows.get((a, y))
                if v is None or v.value is None:
                    continue
                vals[y] = v.value
                cells[y] = self.cell(ind, a, str(y), v)
                if v.interval is not None:
                    intervals[y] = v.interval
            total = total_cell = None
            if additive and key_years:
                parts = [rows[(a, y)] for y in key_years]
                num = sum(p.numerator or 0.0 for p in parts)
                if rule == "num":
                    total = num
                else:
                    den = sum(p.denominator or 0.0 for p in parts)
                    total = num * (ind.factor or 1.0) / den if den else None
                if total is not None:
                    total_cell = self.cell(ind, a, span, _Value(
                        sum(p.n for p in parts), num, None, total, None))
                    if fam == "count":
                        self.group(total_cell, [cells[y] for y in key_years])
            if vals:
                out.append(AreaRow(ind, a, name, level, vals, total, cells, total_cell,
                                   intervals))
        if fam in ("count", "share") and len(out) == len(areas):  # the city = its parts
            members = [r for r in out if r.level != "gemeente"]
            city_row = out[-1]
            for y in key_years:
                if y not in city_row.cells or any(y not in r.cells for r in members):
                    continue
                weights = None
                if fam == "share":
                    den = rows[(cid, y)].denominator or 0.0
                    if den <= 0:
                        continue
                    weights = [(rows[(r.area_id, y)].denominator or 0.0) / den for r in members]
                self.group(city_row.cells[y], [r.cells[y] for r in members], weights)
            if fam == "count" and city_row.total_cell and all(r.total_cell for r in members):
                self.group(city_row.total_cell, [r.total_cell for r in members])
        return out

    def add_areas(self, ind: Indicator, rows: dict[tuple[str, int], _Value],
                  areas: list[str], years: list[int]) -> None:
        """Keep the yearly values of the objectives' other areas for their detail tables."""
        for a in areas:
            for y in years:
                v = rows.get((a, y))
                if v is not None:
                    self._data[(ind.id, a, y)] = v

    def add_containment(self, sectors: dict[str, set[str]], inds: list[Indicator],
                        areas: list[str], wijken: list[str],
                        years_of: dict[str, list[int]]) -> None:
        """An objective's area that is exactly a union of wijken (``sectors``: the sectors of
        each area) is their sum: a relation a reader can use, so it is a group."""
        if not areas or not wijken:
            return
        for a in areas:
            own = sectors.get(a, set())
            parts = [w for w in wijken if sectors.get(w) and sectors[w] <= own]
            if not own or not parts or set().union(*(sectors[w] for w in parts)) != own:
                continue
            for ind in inds:
                if family(ind) != "count":
                    continue
                for y in years_of[ind.id]:
                    total = (cell_key(ind), a, str(y))
                    members = [(cell_key(ind), w, str(y)) for w in parts]
                    if total in self.values and all(m in self.values for m in members):
                        self.group(total, members)

    def add_objective(self, rec: dict[str, Any], obj: Objective | None,
                      ind: Indicator | None, pts: Series | None,
                      years: list[int]) -> ObjectiveFigures:
        """An objective's detail rows, baseline cell and current cell (``pts``: its
        indicator's series in its area)."""
        relative = bool(obj and obj.target and obj.target.value is None)
        if ind is None or pts is None:
            return ObjectiveFigures(rec, None, [], None, None, relative)
        area = rec["area"]["id"]
        survey = ind.source == "survey"
        by_year = {p.start.year: p for p in pts.years if p.complete and p.value is not None}
        rows: list[DetailRow] = []
        for y in years:
            p = by_year.get(y)
            if p is None:
                continue
            v = self._data.get((ind.id, area, y)) or _Value(
                p.n, p.numerator, p.denominator, p.value, p.n_eff)
            c = self.cell(ind, area, str(y), v)
            rows.append(DetailRow(str(y), "wave" if survey else "year", p.value, p.ci_low,
                                  p.ci_high, p.numerator, p.denominator, p.n, p.n_eff, c))
        cur = rec["current"]
        current_cell = None
        if cur["value"] is not None and cur["period"]:
            existing = next((r for r in rows if r.period == cur["period"]), None)
            if existing is not None:
                current_cell = existing.cell
            else:
                current_cell = self.cell(ind, area, cur["period"], _Value(
                    int(cur["n"] or 0), cur["numerator"], cur["denominator"], cur["value"],
                    cur["n_eff"]))
                year = _calendar_year(cur["period"])
                twin = next((r for r in rows if r.period == str(year)), None)
                if twin is not None:
                    self.group(current_cell, [twin.cell])
                rows.append(DetailRow(cur["period"], "wave" if survey else "window",
                                      cur["value"], cur["ci_low"], cur["ci_high"],
                                      cur["numerator"], cur["denominator"], cur["n"],
                                      cur["n_eff"], current_cell))
        base_cell = self._baseline(ind, area, obj, rows, rec)
        small_test = False
        if family(ind) == "count" and obj is not None and obj.baseline is not None:
            try:
                base_end = dt.date(baseline_years(obj.baseline.period)[1], 12, 31)
            except ValueError:
                base_end = None
            if base_end is not None:  # the count the noise test compares with the baseline
                pooled = sum(p.numerator or 0.0 for p in pts.windows
                             if p.complete and p.value is not None and p.start > base_end)
                small_test = 0 < pooled < thresholds_for(ind, self.t).min_count
        return ObjectiveFigures(rec, ind, rows, base_cell, current_cell, relative, small_test)

    def _baseline(self, ind: Indicator, area: str, obj: Objective | None,
                  rows: list[DetailRow], rec: dict[str, Any]) -> Cell | None:
        if obj is None or obj.baseline is None or obj.baseline.value != "from_data":
            return None
        if rec["baseline"]["value"] is None:
            return None
        try:
            first, last = baseline_years(obj.baseline.period)
        except ValueError:
            return None
        yearly = [r for r in rows if r.kind != "window"]
        used = [r for r in yearly if first <= int(r.period) <= last]
        if not used:
            used = [r for r in yearly if int(r.period) > last][:1]
        if not used:
            return None
        if len(used) == 1:
            return used[0].cell
        fam = family(ind)
        period = f"{used[0].period}-{used[-1].period}"
        num = sum(r.numerator or 0.0 for r in used)
        den = sum(r.denominator or 0.0 for r in used)
        n_eff = sum((r.n_eff if r.n_eff is not None else r.n or 0) for r in used)
        c = self.cell(ind, area, period, _Value(sum(r.n or 0 for r in used), num, den,
                                                rec["baseline"]["value"], n_eff))
        if fam == "count":
            self.group(c, [r.cell for r in used])
        elif fam == "share" and den > 0:
            self.group(c, [r.cell for r in used], [(r.denominator or 0.0) / den for r in used])
        elif fam == "direct":
            self.group(c, [r.cell for r in used], [1.0 / len(used)] * len(used))
        return c


def _neff_rest(city: _Value, parts: list[_Value]) -> float | None:
    if city.n_eff is None:
        return None
    return max(0.0, (city.n or 0) - sum(p.n for p in parts))


def _calendar_year(period: str) -> int | None:
    """The year a 12-month window ``YYYY-01/YYYY-12`` equals (None for other windows)."""
    m = re.fullmatch(r"(\d{4})-01/(\d{4})-12", period)
    return int(m.group(1)) if m and m.group(1) == m.group(2) else None


