"""The council workbook's figures, with the public audience's suppression decided over all of
them at once: the status records, each objective's yearly series, the wijk table.

:func:`council_figures` is the one source of the workbook (:mod:`dashboard.export.council`), the
public CSV tables (:mod:`dashboard.export.tables`) and the dashboard's public audience
(:mod:`dashboard.audience`): what one of them hides, the others hide too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb

from core.errors import IvmError
from dashboard.export.suppress import Cell, Group, Thresholds, protect
from indicators.catalog import Catalog, Indicator, load_catalog
from indicators.plan import Objective
from indicators.progress import baseline_years
from indicators.refresh import current_plan
from indicators.results import STORED, Tables, series
from indicators.results import as_of as stored_as_of
from indicators.status import status_records

AUDIENCES = ("internal", "public")


# --------------------------------------------------------------------------------------------
# The figures


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


@dataclass
class Figures:
    """Everything the council workbook shows, with the public audience's suppression applied
    (``hidden``); shared with the CSV export and the dashboard's public mode."""

    as_of: dt.date
    audience: str
    thresholds: Thresholds
    catalog: Catalog
    plan: dict[str, Any] | None
    city: tuple[str, str] | None
    years: list[int]
    objectives: list[ObjectiveFigures]
    area_rows: list[AreaRow]
    cells: dict[Cell, float] = field(default_factory=dict)
    shown: set[Cell] = field(default_factory=set)
    groups: list[Group] = field(default_factory=list)
    hidden: set[Cell] = field(default_factory=set)

    @property
    def records(self) -> list[dict[str, Any]]:
        """The status records (as ``ivm status --format json``)."""
        return [o.record for o in self.objectives]

    def is_hidden(self, cell: Cell | None) -> bool:
        """Whether the public audience does not see this figure."""
        return cell is not None and cell in self.hidden

    def suppressed(self, indicator_id: str, area_id: str, period: str) -> bool:
        """Whether the public audience does not see an indicator's value in an area and period
        (a year ``2024``, a 12-month window ``2025-11/2026-10``, a range ``2017-2019``)."""
        ind = self.catalog.indicators.get(indicator_id)
        return ind is not None and (cell_key(ind), area_id, period) in self.hidden

    def reason_hidden(self, o: ObjectiveFigures) -> bool:
        """Whether the public audience does not see an objective's reason: it states a change
        from a hidden baseline or to a hidden current value, or a p-value of a small count."""
        return self.audience == "public" and (
            self.is_hidden(o.base_cell) or self.is_hidden(o.current_cell) or o.small_test)


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


def council_figures(
    con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None, audience: str = "internal",
    catalog: Catalog | None = None, thresholds: Thresholds | None = None,
) -> Figures:
    """The workbook's figures (status records, detail series, wijk table), with the public
    audience's suppression decided over all of them at once."""
    if audience not in AUDIENCES:
        raise IvmError("bad_audience", f"unknown audience '{audience}'",
                       hint="internal or public")
    catalog = catalog or load_catalog()
    thresholds = thresholds or Thresholds.from_settings()
    records = status_records(con, as_of=as_of, catalog=catalog)
    if not records:
        raise IvmError("no_results", "no plan status to export: no plan loaded or no stored "
                       "results", hint="`ivm load plan FILE`, then `ivm refresh`")
    stored = stored_as_of(con)
    run_as_of = dt.date.fromisoformat(records[0]["as_of"])
    tables = STORED if as_of is None or as_of == stored else Tables("ivm_values", "ivm_population")
    version, objectives = current_plan(con)
    specs = {o.id: o for o in objectives}
    plan = _plan_info(con, version, len(objectives))
    used = sorted({r["indicator"] for r in records if r["indicator"] in catalog.indicators})
    inds = [catalog.indicators[i] for i in used]
    names = {a: (n, lv) for a, n, lv in con.execute(
        "SELECT area_id, name, level FROM area").fetchall()}
    city = _city(con, records, names)
    wijken = _wijken(con, city[0]) if city else []
    obj_areas = sorted({r["area"]["id"] for r in records} - {a for a, _ in wijken}
                       - ({city[0]} if city else set()))
    all_areas = [a for a, _ in wijken] + ([city[0]] if city else []) + obj_areas
    complete = _complete_years(con, tables, used)
    first = min((_first_year(specs.get(r["id"])) for r in records), default=None)
    last_all = max((y for ys in complete.values() for y in ys), default=run_as_of.year - 1)
    start = first if first is not None else last_all - 4
    years_of = {i: [y for y in complete.get(i, []) if start <= y <= last_all] for i in used}
    values, present = _year_values(con, tables, used, all_areas, sorted(
        {y for ys in years_of.values() for y in ys}))
    pops = _populations(con, tables, all_areas)
    levels = {a: names[a][1] for a in all_areas if a in names}
    model = _Model(thresholds)
    area_rows: list[AreaRow] = []
    for ind in inds:
        years = years_of[ind.id]
        rows = _fill(ind, values, pops, all_areas, years, present, levels)
        area_rows += model.add_table(ind, rows, wijken, city, years, names)
        model.add_areas(ind, rows, obj_areas, years)
    model.add_containment(con, inds, obj_areas, [a for a, _ in wijken], years_of)
    objs = []
    for rec in records:
        ind = catalog.indicators.get(rec["indicator"] or "")
        obj = specs.get(rec["id"])
        objs.append(model.add_objective(con, tables, rec, obj, ind, years_of.get(
            ind.id if ind else "", [])))
    all_years = sorted({y for ys in years_of.values() for y in ys})
    figures = Figures(run_as_of, audience, thresholds, catalog, plan, city, all_years, objs,
                      area_rows, model.values, model.shown, model.groups)
    if audience == "public":
        figures.hidden = protect(model.values, model.shown, model.primary, model.groups,
                                 model.cost, model.counts)
    return figures


def _plan_info(con: duckdb.DuckDBPyConnection, version: str | None,
               objectives: int) -> dict[str, Any] | None:
    if version is None:
        return None
    row = con.execute("SELECT plan_version, title, approved_on, approved_by FROM plan_version "
                      "WHERE plan_version = ?", [version]).fetchall()[0]
    return {"version": row[0], "title": row[1], "approved_on": row[2], "approved_by": row[3],
            "objectives": objectives}


def _city(con: duckdb.DuckDBPyConnection, records: list[dict],
          names: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    """The municipality of the plan: the one its objectives name (else the one they lie in)."""
    ids = [r["area"]["id"] for r in records if r["area"]["level"] == "gemeente"]
    if not ids:
        areas = sorted({r["area"]["id"] for r in records})
        ids = [a for (a,) in con.execute(
            "SELECT DISTINCT l2.parent_id FROM area_link l1 "
            "JOIN area_link l2 ON l2.area_id = l1.area_id "
            "JOIN area a ON a.area_id = l2.parent_id "
            "WHERE l1.parent_id IN (SELECT unnest(?)) AND a.level = 'gemeente' "
            "ORDER BY 1", [areas]).fetchall()]
    if not ids:
        ids = [a for a, (_, lv) in sorted(names.items()) if lv == "gemeente"][:1]
    if not ids:
        return None
    city = Counter(ids).most_common(1)[0][0]
    return city, names[city][0]


def _wijken(con: duckdb.DuckDBPyConnection, city: str) -> list[tuple[str, str]]:
    return [(a, n) for a, n in con.execute(
        "SELECT area_id, name FROM area WHERE level = 'wijk' AND (parent_id = ? OR area_id IN ("
        "  SELECT l2.parent_id FROM area_link l1 JOIN area_link l2 ON l2.area_id = l1.area_id "
        "  WHERE l1.parent_id = ?)) ORDER BY area_id", [city, city]).fetchall()]


def _complete_years(con: duckdb.DuckDBPyConnection, tables: Tables,
                    ids: list[str]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for ind, period in con.execute(
        f"SELECT indicator_id, period FROM {tables.values} WHERE period_type = 'year' "
        "AND indicator_id IN (SELECT unnest(?)) GROUP BY ALL HAVING bool_and(complete) "
        "ORDER BY 1, 2", [ids]).fetchall():
        out.setdefault(ind, []).append(int(period))
    return out


def _first_year(obj: Objective | None) -> int | None:
    if obj is None or obj.baseline is None:
        return None
    try:
        return baseline_years(obj.baseline.period)[0]
    except ValueError:
        return None


def _year_values(con: duckdb.DuckDBPyConnection, tables: Tables, ids: list[str],
                 areas: list[str], years: list[int]) -> tuple[dict, set]:
    """The stored yearly values of the areas, and which (indicator, level, year) have any
    value at all (where none has, nothing is filled in, as in the dashboard)."""
    periods = [str(y) for y in years]
    rows = con.execute(
        f"SELECT indicator_id, area_id, period, n, numerator, denominator, value, n_eff "
        f"FROM {tables.values} WHERE period_type = 'year' "
        "AND indicator_id IN (SELECT unnest(?)) AND area_id IN (SELECT unnest(?)) "
        "AND period IN (SELECT unnest(?))", [ids, areas, periods]).fetchall()
    present = {(i, lv, int(p)) for i, lv, p in con.execute(
        f"SELECT DISTINCT indicator_id, area_level, period FROM {tables.values} "
        "WHERE period_type = 'year' AND indicator_id IN (SELECT unnest(?)) "
        "AND period IN (SELECT unnest(?))", [ids, periods]).fetchall()}
    return ({(i, a, int(p)): (n, num, den, v, neff) for i, a, p, n, num, den, v, neff in rows},
            present)


def _populations(con: duckdb.DuckDBPyConnection, tables: Tables,
                 areas: list[str]) -> dict[str, list[tuple[int, float | None, float | None]]]:
    out: dict[str, list] = {}
    for a, y, inh, hh in con.execute(
        f"SELECT area_id, year, inhabitants, households FROM {tables.population} "
        "WHERE area_id IN (SELECT unnest(?)) ORDER BY area_id, year", [areas]).fetchall():
        out.setdefault(a, []).append((y, inh, hh))
    return out


@dataclass
class _Value:
    n: int
    numerator: float | None
    denominator: float | None
    value: float | None
    n_eff: float | None


def _fill(ind: Indicator, values: dict, pops: dict, areas: list[str], years: list[int],
          present: set, levels: dict[str, str]) -> dict[tuple[str, int], _Value]:
    """The indicator's yearly values in the areas, zeros filled in for counts, rates and sums
    where the level has values that year (as :func:`indicators.results.values` does)."""
    rule = ind.kind.value_rule
    out = {}
    for a in areas:
        for y in years:
            got = values.get((ind.id, a, y))
            if got is not None:
                n, num, den, v, neff = got
                out[a, y] = _Value(int(n or 0), num, den, v, neff)
            elif rule in ("num", "rate") and (ind.id, levels.get(a), y) in present:
                den = None
                if rule == "rate":
                    pop = [p for p in pops.get(a, []) if p[0] <= y]
                    if pop:
                        den = pop[-1][1] if ind.population == "inhabitants" else pop[-1][2]
                    den = float(den) if den is not None else None
                out[a, y] = _Value(0, 0.0, den, 0.0 if rule == "num" or den else None, None)
    return out


class _Model:
    """The cells, groups and primary cells of the public release, built sheet by sheet."""

    def __init__(self, t: Thresholds) -> None:
        self.t = t
        self.values: dict[Cell, float] = {}
        self.cost: dict[Cell, float] = {}
        self.shown: set[Cell] = set()
        self.primary: set[Cell] = set()
        self.counts: set[Cell] = set()
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
            vals, cells = {}, {}
            for y in years:
                v = rows.get((a, y))
                if v is None or v.value is None:
                    continue
                vals[y] = v.value
                cells[y] = self.cell(ind, a, str(y), v)
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
                out.append(AreaRow(ind, a, name, level, vals, total, cells, total_cell))
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

    def add_containment(self, con: duckdb.DuckDBPyConnection, inds: list[Indicator],
                        areas: list[str], wijken: list[str],
                        years_of: dict[str, list[int]]) -> None:
        """An objective's area that is exactly a union of wijken is their sum: a relation a
        reader can use, so it is a group."""
        if not areas or not wijken:
            return
        sectors: dict[str, set[str]] = {}
        for s, p in con.execute(
            "SELECT area_id, parent_id FROM area_link WHERE parent_id IN (SELECT unnest(?))",
            [areas + wijken]).fetchall():
            sectors.setdefault(p, set()).add(s)
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

    def add_objective(self, con: duckdb.DuckDBPyConnection, tables: Tables,
                      rec: dict[str, Any], obj: Objective | None, ind: Indicator | None,
                      years: list[int]) -> ObjectiveFigures:
        """An objective's detail rows, baseline cell and current cell."""
        relative = bool(obj and obj.target and obj.target.value is None)
        if ind is None:
            return ObjectiveFigures(rec, None, [], None, None, relative)
        area = rec["area"]["id"]
        survey = ind.source == "survey"
        pts = series(con, ind, area, tables)
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


