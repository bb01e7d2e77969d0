"""Materialise the results: indicator values, objective progress, CompStat windows and every
area's profile.

Runs after every load (inside the load's write, so a published warehouse never pairs new data
with old results) and on ``ivm refresh``. The result tables are replaced whole; ``refresh_log``
keeps one row per refresh with its as-of date. The same computation can run on a read-only
connection into temp tables for another as-of date (:func:`progress_as_of`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import time
from dataclasses import dataclass, replace

import duckdb
import numpy as np
import pyarrow as pa

from core.errors import IvmError
from core.settings import setting
from core.warehouse.schema import RESULT_TABLES
from indicators.alerts import compute_alerts
from indicators.area_profile import store_area_profiles
from indicators.boundaries import changed_parents, has_history
from indicators.catalog import Catalog, Indicator, load_catalog
from indicators.catalog_store import effective_catalog, record_folder
from indicators.compile import monthly_select, to_sql
from indicators.compstat import compute_compstat
from indicators.compute import compute_values, default_as_of, stage_values, write_values
from indicators.events import event_evidence, settle_completeness
from indicators.hierarchy import top_level
from indicators.noise import POISSON, AreaCounts, Dispersion, level_dispersion, season_profile
from indicators.periods import Coverage, month_end
from indicators.plan import Objective, PlanFile
from indicators.plan_store import in_force_version, stored_plan
from indicators.progress import (
    Context,
    Point,
    Progress,
    Series,
    baseline_years,
    evaluate,
    finalize,
)
from indicators.project import displacement
from indicators.results import Tables, level_months, monthly_counts, root_area, series


@dataclass
class RefreshResult:
    """What a refresh computed."""

    as_of: dt.date
    indicators: int
    value_rows: int
    objectives: int
    plan_version: str | None
    seconds: float

    def summary(self) -> str:
        """One line for people."""
        plan = f" of plan {self.plan_version}" if self.plan_version else ""
        return (f"results as of {self.as_of:%d/%m/%Y}: {self.indicators} indicators, "
                f"{self.value_rows} values, {self.objectives} objective rows{plan} "
                f"({self.seconds:.1f} s)")


def current_plan(con: duckdb.DuckDBPyConnection) -> tuple[str | None, list[Objective]]:
    """The plan version in force (the one activated last, see
    :func:`indicators.plan_store.in_force_version`) and its objectives; (None, []) when no
    version is in force."""
    version = in_force_version(con)
    if version is None:
        return None, []
    specs = con.execute(
        "SELECT spec FROM objective WHERE plan_version = ? ORDER BY objective_id", [version]
    ).fetchall()
    return version, [Objective.model_validate(json.loads(s)) for (s,) in specs]


def plan_in_force(con: duckdb.DuckDBPyConnection) -> PlanFile | None:
    """The plan version in force as a plan file, with its reporting calendar and actions (None
    when no plan is loaded)."""
    version, _ = current_plan(con)
    return None if version is None else stored_plan(con, version)


def objective_areas(con: duckdb.DuckDBPyConnection, obj: Objective) -> list[str]:
    """The areas an objective applies to: its areas, every area of its level, or the city (every
    area of the top level of the loaded hierarchy)."""
    if obj.areas:
        return list(obj.areas)
    level = obj.area_level or top_level(con)
    return [a for (a,) in con.execute(
        "SELECT area_id FROM area WHERE level = ? ORDER BY area_id", [level]).fetchall()]


def assess_plan(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, objectives: list[Objective],
    as_of: dt.date, tables: Tables, coverage: dict[str, Coverage] | None = None,
) -> list[Progress]:
    """Every objective x area of the plan, assessed from the values in ``tables`` (each
    source's ``coverage`` says up to which month its counts are complete) and judged together
    (:func:`indicators.progress.finalize`)."""
    levels = dict(con.execute("SELECT area_id, level FROM area").fetchall())
    contexts = PlanContexts(con, tables, coverage or {})
    out = []
    for obj in objectives:
        ind = catalog.indicators.get(obj.indicator) if obj.indicator else None
        for area in objective_areas(con, obj):
            if area not in levels:
                e = evaluate(obj, ind, area, _EMPTY, as_of)
                e.done = True
                e.progress.status = "insufficient_data"
                e.progress.reason_nl = f"gebied '{area}' is niet geladen"
                e.progress.reason_en = f"area '{area}' is not loaded"
                out.append(e)
                continue
            data = series(con, ind, area, tables) if ind else _EMPTY
            ctx = contexts.context(obj, ind, area, levels[area]) if ind else Context()
            out.append(evaluate(obj, ind, area, data, as_of, ctx))
    done = finalize(out)
    redrawn = changed_parents(con) if tables.boundaries is not None else set()
    for e, p in zip(out, done, strict=True):
        if e.ind is not None and (levels.get(p.area_id) == "project" or e.obj.buffer):
            _add_displacement(con, e.ind, e.obj, p, tables)
        if p.area_id in redrawn:  # measured on the boundaries it was set on
            _add_evidence(p, "boundaries", {"day": tables.boundaries.isoformat()})
        if e.ind is not None and e.ind.event is not None and p.area_id in levels:
            _add_evidence(p, "event", event_evidence(con, e.ind, p.area_id,
                                                     (coverage or {}).get(e.ind.source)))
    return done


def _add_displacement(con: duckdb.DuckDBPyConnection, ind: Indicator, obj: Objective,
                      p: Progress, tables: Tables) -> None:
    """The project's displacement check joins its status's evidence."""
    _add_evidence(p, "displacement",
                  displacement(con, ind, obj, p.area_id, p.dispersion or 1.0, tables))


def _add_evidence(p: Progress, key: str, found: dict | None) -> None:
    """``found`` joins the status's evidence under ``key`` (nothing when None)."""
    if found is None:
        return
    record = p.evidence_record() or {}
    record[key] = found
    p.evidence = json.dumps(record, sort_keys=True, default=str)


_EMPTY = Series([], [])


class PlanContexts:
    """The dispersion, seasonal pattern and comparison of each objective's area, computed
    once per indicator and level (or area) for a whole plan."""

    def __init__(self, con: duckdb.DuckDBPyConnection, tables: Tables,
                 coverage: dict[str, Coverage]):
        self.con, self.tables, self.coverage = con, tables, coverage
        self._dispersion: dict[tuple, dict[str, Dispersion]] = {}
        self._season: dict[tuple[str, str], tuple[float, ...]] = {}

    def context(self, obj: Objective, ind: Indicator, area: str, level: str) -> Context:
        """The context of ``obj`` in ``area`` (nothing but defaults for non-count measures)."""
        if ind.kind.noise != "poisson" or obj.baseline is None:
            return Context()
        try:
            first, last = baseline_years(obj.baseline.period)
        except ValueError:
            return Context()
        root = root_area(self.con, area)
        season = self.season(ind, root)
        cov = self.coverage.get(ind.source)
        anchor = month_end(cov.anchor) if cov else None
        key = (ind.id, level, root, first, last)
        if key not in self._dispersion:
            self._dispersion[key] = self._level(ind, level, root, first, last, season)
        disp = self._dispersion[key].get(area, POISSON)
        comparison = obj.comparison_areas(level)
        if not comparison or (comparison == "rest_of_city" and root == area):
            return Context(disp, season, anchor=anchor)
        comp = self._comparison(ind, area, root, comparison)
        if comp is None:
            return Context(disp, season, anchor=anchor)
        comp_disp = level_dispersion([_area_counts("comparison", comp.months, ind, first, last,
                                                   season)]).get("comparison", POISSON)
        name = comparison if isinstance(comparison, str) else ",".join(comparison)
        return Context(disp, season, comp, comp_disp, name, anchor)

    def season(self, ind: Indicator, root: str) -> tuple[float, ...]:
        """The seasonal factors of ``ind`` in the top area ``root``."""
        key = (ind.id, root)
        if key not in self._season:
            self._season[key] = season_profile(monthly_counts(self.con, ind, root, self.tables))
        return self._season[key]

    def _level(self, ind: Indicator, level: str, root: str, first: int, last: int,
               season: tuple[float, ...]) -> dict[str, Dispersion]:
        """The dispersion of every area of ``level`` in the municipality ``root``."""
        months = level_months(self.con, ind, level, dt.date(first, 1, 1),
                              dt.date(last, 12, 31), self.tables, root)
        rate = ind.kind.value_rule == "rate"
        areas = []
        for area_id, rows in months.items():
            counts = np.array([c for _, c, _ in rows])
            exposure = np.array([((d or 0.0) if rate else 1.0) / 12 for _, _, d in rows])
            factors = np.array([season[m.month - 1] for m, _, _ in rows])
            areas.append(AreaCounts(area_id, counts, exposure, factors))
        return level_dispersion(areas)

    def _comparison(self, ind: Indicator, area: str, root: str,
                    comparison: str | list[str]) -> Series | None:
        if comparison == "rest_of_city":
            whole = series(self.con, ind, root, self.tables).months
            part = {p.start: p for p in series(self.con, ind, area, self.tables).months}
            return Series([], [], [_minus(p, part.get(p.start)) for p in whole])
        known = [a for a in comparison if self.con.execute(
            "SELECT 1 FROM area WHERE area_id = ?", [a]).fetchall()]
        if not known:
            return None
        parts = [series(self.con, ind, a, self.tables).months for a in known]
        by_month: dict[dt.date, list[Point]] = {}
        for months in parts:
            for p in months:
                by_month.setdefault(p.start, []).append(p)
        return Series([], [], [_plus(ps) for _, ps in sorted(by_month.items())
                               if len(ps) == len(parts)])


def _minus(whole: Point, part: Point | None) -> Point:
    """A month of the city without the project area's facts and population."""
    if part is None:
        return whole
    num = (whole.numerator or 0.0) - (part.numerator or 0.0)
    den = None if whole.denominator is None else whole.denominator - (part.denominator or 0.0)
    return replace(whole, numerator=num, denominator=den, value=None,
                   complete=whole.complete and part.complete)


def _plus(points: list[Point]) -> Point:
    """One month of several control areas together."""
    dens = [p.denominator for p in points]
    return replace(points[0], numerator=sum(p.numerator or 0.0 for p in points),
                   denominator=None if any(d is None for d in dens) else sum(dens),
                   value=None, complete=all(p.complete for p in points))


def _area_counts(name: str, months: list[Point], ind: Indicator, first: int, last: int,
                 season: tuple[float, ...]) -> AreaCounts:
    rate = ind.kind.value_rule == "rate"
    pts = [p for p in months if first <= p.start.year <= last and p.complete]
    return AreaCounts(
        name, np.array([p.numerator or 0.0 for p in pts]),
        np.array([((p.denominator or 0.0) if rate else 1.0) / 12 for p in pts]),
        np.array([season[p.start.month - 1] for p in pts]))


def catalog_sha(catalog: Catalog) -> str:
    """A fingerprint of the catalogue's declarations."""
    h = hashlib.sha256()
    for ind in sorted(catalog, key=lambda i: i.id):
        h.update(ind.model_dump_json(by_alias=True).encode())
    return h.hexdigest()


def refresh(
    con: duckdb.DuckDBPyConnection, catalog: Catalog | None = None,
    as_of: dt.date | None = None,
) -> RefreshResult:
    """Recompute and replace every stored result (call inside ``Warehouse.writing()``), with
    DuckDB's memory limit raised to the ``refresh_memory_limit`` setting for the while (a load's
    own limit is kept small; the refresh of a national-scale warehouse needs more)."""
    limit = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    con.execute(f"SET memory_limit = '{_size(setting('refresh_memory_limit'))}'")
    try:
        return _refresh(con, catalog, as_of)
    finally:
        con.execute(f"SET memory_limit = '{_size(limit)}'")


def _size(text: str) -> str:
    """A memory size as DuckDB reads it (digits, an optional point, a unit), or an error."""
    value = str(text).strip()
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", value, flags=re.IGNORECASE):
        raise IvmError("bad_setting", f"not a memory size: {value!r} (e.g. 8GB)")
    return value


def _refresh(
    con: duckdb.DuckDBPyConnection, catalog: Catalog | None, as_of: dt.date | None,
) -> RefreshResult:
    started = dt.datetime.now()
    t0 = time.perf_counter()
    catalog = catalog or load_catalog()
    record_folder(con, catalog)  # an analyst's folder travels with the warehouse from now on
    catalog = effective_catalog(con, catalog=catalog)
    as_of = as_of or default_as_of(con)
    staged = stage_values(con, catalog, as_of)
    cov: dict[str, Coverage] = _coverage_from_temp(con)
    compute_compstat(con, cov)
    compute_alerts(con, cov)
    version, objectives = current_plan(con)
    con.execute("BEGIN")
    try:
        for table in RESULT_TABLES:
            if table != "refresh_log":
                con.execute(f"DELETE FROM {table}")
        _store_catalog(con, catalog, as_of)
        con.execute("INSERT INTO area_population BY NAME SELECT * FROM ivm_population")
        # written sorted, so DuckDB's per-row-group min/max skip everything but the indicator,
        # level and period a reader asks for (the dashboard's queries at national scale)
        value_rows = write_values(con, staged, "indicator_value")
        settle_completeness(con, {i.id: i for i in catalog}, cov)
        store_area_profiles(con, catalog)  # from the final values: what a click on an area reads
        for c in cov.values():
            con.execute("INSERT INTO source_coverage VALUES (?, ?, ?, ?, ?)",
                        [c.kind, c.data_start, c.cutoff, c.anchor, c.rows])
        # sorted by area: an area's windows are one row group's read
        con.execute("INSERT INTO compstat SELECT * FROM ivm_compstat "
                    "ORDER BY area_id, kind, category, window_type")
        con.execute("INSERT INTO early_warning SELECT * FROM ivm_early_warning")
        rows = assess_plan(con, catalog, objectives, as_of,
                           _plan_tables(con, catalog, objectives, version, as_of), cov)
        _store_progress(con, version, rows, as_of, cov, catalog)
        refresh_id = con.execute(
            "SELECT coalesce(max(refresh_id), 0) + 1 FROM refresh_log").fetchall()[0][0]
        con.execute(
            "INSERT INTO refresh_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [refresh_id, as_of, started, dt.datetime.now(), catalog_sha(catalog), version,
             len(catalog), value_rows, len(rows), None],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return RefreshResult(as_of, len(catalog), value_rows, len(rows), version,
                         time.perf_counter() - t0)


def _plan_tables(con: duckdb.DuckDBPyConnection, catalog: Catalog, objectives: list[Objective],
                 version: str | None, as_of: dt.date, table: str = "ivm_plan_values") -> Tables:
    """The values a plan is judged on: the stored ones; once boundaries changed, its indicators
    recomputed on the boundaries of the day the plan was approved (an objective keeps the
    areas it was set on), into the temp table ``table``."""
    day = _approved_on(con, version) if version and has_history(con) else None
    if day is None:
        return Tables() if table == "ivm_plan_values" else Tables(table, "ivm_population")
    used = {o.indicator for o in objectives if o.indicator}
    compute_values(con, catalog, as_of, only=used, table=table, boundaries=day)
    settle_completeness(con, {i.id: i for i in catalog if i.id in used},
                        _coverage_from_temp(con), table)
    return Tables(table, "ivm_population", boundaries=day)


def _approved_on(con: duckdb.DuckDBPyConnection, version: str) -> dt.date | None:
    row = con.execute("SELECT approved_on FROM plan_version WHERE plan_version = ?",
                      [version]).fetchall()
    return row[0][0] if row else None


def _coverage_from_temp(con: duckdb.DuckDBPyConnection) -> dict[str, Coverage]:
    rows = con.execute(
        "SELECT kind, data_start, cutoff, rows, spans FROM ivm_coverage").fetchall()
    return {k: Coverage(k, s, c, n, tuple((x["s"], x["e"]) for x in spans))
            for k, s, c, n, spans in rows}


def _store_catalog(con: duckdb.DuckDBPyConnection, catalog: Catalog, as_of: dt.date) -> None:
    for ind in catalog:
        sql = to_sql(monthly_select(ind, as_of))
        con.execute(
            "INSERT INTO indicator VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [ind.id, ind.title.nl, ind.title.en, ind.unit.nl, ind.unit.en, ind.source,
             ind.measure, ind.direction, ind.period, ind.min_n,
             ind.model_dump_json(by_alias=True, exclude_none=True), sql],
        )


def _cutoff(ind_source: str | None, cov: dict[str, Coverage]) -> dt.date | None:
    c = cov.get(ind_source or "")
    return c.cutoff if c else None


def _store_progress(con: duckdb.DuckDBPyConnection, version: str | None, rows: list[Progress],
                    as_of: dt.date, cov: dict[str, Coverage], catalog: Catalog) -> None:
    if not rows:
        return
    records = []
    for p in rows:
        d = p.as_dict()
        ind = catalog.indicators.get(p.indicator_id or "")
        records.append({"plan_version": version, **d, "as_of": as_of,
                        "cutoff": _cutoff(ind.source if ind else None, cov)})
    cols = [c for c in records[0]]
    table = pa.Table.from_pylist(records)
    con.register("ivm_progress_arrow", table)
    con.execute(f"INSERT INTO objective_progress ({', '.join(cols)}) "
                f"SELECT {', '.join(cols)} FROM ivm_progress_arrow")
    con.unregister("ivm_progress_arrow")


def progress_as_of(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, catalog: Catalog | None = None,
) -> tuple[str | None, list[Progress], dict[str, Coverage]]:
    """The plan's progress as of another date, computed into temp tables (read-only is fine)."""
    catalog = effective_catalog(con, catalog=catalog)
    version, objectives = current_plan(con)
    used = {o.indicator for o in objectives if o.indicator}
    compute_values(con, catalog, as_of, only=used, table="ivm_values")
    cov = _coverage_from_temp(con)
    settle_completeness(con, {i.id: i for i in catalog if i.id in used}, cov, "ivm_values")
    rows = assess_plan(con, catalog, objectives, as_of,
                       _plan_tables(con, catalog, objectives, version, as_of, "ivm_values"), cov)
    return version, rows, cov
