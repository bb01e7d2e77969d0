"""The council workbook's figures, with the public audience's suppression decided over all of
them at once: the status records, each objective's yearly series, the wijk table.

Everything is read through the indicators layer (its status records, series and readers); the
cells and groups of the public release are :mod:`dashboard.export.release`.

:func:`council_figures` is the one source of the workbook (:mod:`dashboard.export.council`), the
public CSV tables (:mod:`dashboard.export.tables`) and the dashboard's public audience
(:mod:`dashboard.audience`): what one of them hides, the others hide too.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import duckdb

from core.errors import IvmError
from core.warehouse.releases import latest_release
from dashboard.export.release import (
    AreaRow,
    ObjectiveFigures,
    Release,
    cell_key,
    fill,
)
from dashboard.export.suppress import Cell, Group, Published, Thresholds, carry, protect
from indicators import (
    STORED,
    Catalog,
    Objective,
    Tables,
    area_names,
    baseline_years,
    city_of,
    complete_years,
    current_plan,
    data_version,
    load_catalog,
    plan_info,
    populations,
    sectors_of,
    series,
    status_records,
    stored_as_of,
    wijken_of,
    year_values,
)

AUDIENCES = ("internal", "public")


# --------------------------------------------------------------------------------------------
# The figures


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
    #: The public release as the next one must know it (public audience only).
    release: Published | None = None

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


def council_figures(
    con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None, audience: str = "internal",
    catalog: Catalog | None = None, thresholds: Thresholds | None = None,
) -> Figures:
    """The workbook's figures (status records, detail series, wijk table), with the public
    audience's suppression decided over all of them at once, knowing the public release
    before (recorded with the warehouse: :func:`public_release`)."""
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
    _, objectives = current_plan(con)
    specs = {o.id: o for o in objectives}
    plan = plan_info(con)
    used = sorted({r["indicator"] for r in records if r["indicator"] in catalog.indicators})
    inds = [catalog.indicators[i] for i in used]
    names = area_names(con)
    city = city_of(con, records, names)
    wijken = wijken_of(con, city[0]) if city else []
    obj_areas = sorted({r["area"]["id"] for r in records} - {a for a, _ in wijken}
                       - ({city[0]} if city else set()))
    all_areas = [a for a, _ in wijken] + ([city[0]] if city else []) + obj_areas
    complete = complete_years(con, used, tables)
    first = min((_first_year(specs.get(r["id"])) for r in records), default=None)
    last_all = max((y for ys in complete.values() for y in ys), default=run_as_of.year - 1)
    start = first if first is not None else last_all - 4
    years_of = {i: [y for y in complete.get(i, []) if start <= y <= last_all] for i in used}
    values, present = year_values(con, used, all_areas, sorted(
        {y for ys in years_of.values() for y in ys}), tables)
    pops = populations(con, all_areas, tables)
    levels = {a: names[a][1] for a in all_areas if a in names}
    model = Release(thresholds)
    area_rows: list[AreaRow] = []
    for ind in inds:
        years = years_of[ind.id]
        rows = fill(ind, values, pops, all_areas, years, present, levels)
        area_rows += model.add_table(ind, rows, wijken, city, years, names)
        model.add_areas(ind, rows, obj_areas, years)
    model.add_containment(sectors_of(con, obj_areas + [a for a, _ in wijken]), inds, obj_areas,
                          [a for a, _ in wijken], years_of)
    objs = []
    for rec in records:
        ind = catalog.indicators.get(rec["indicator"] or "")
        obj = specs.get(rec["id"])
        pts = series(con, ind, rec["area"]["id"], tables) if ind is not None else None
        objs.append(model.add_objective(rec, obj, ind, pts, years_of.get(
            ind.id if ind else "", [])))
    all_years = sorted({y for ys in years_of.values() for y in ys})
    figures = Figures(run_as_of, audience, thresholds, catalog, plan, city, all_years, objs,
                      area_rows, model.values, model.shown, model.groups)
    if audience == "public":
        version = data_version(con)
        text = latest_release(con, version["label"] if version and tables is STORED else None)
        earlier = Published.from_json(text) if text else None
        rule = (float(thresholds.min_count), float(thresholds.min_neff))
        if earlier is not None and earlier.thresholds != rule:
            earlier = None  # decided under other thresholds: this one is decided on its own
        figures.hidden = _protect(model, earlier)
        figures.release = Published(
            dict(model.values), model.shown - figures.hidden, set(figures.hidden),
            set(model.primary), dict(model.widths), set(model.counts), list(model.groups),
            rule)
    return figures


def _protect(model: Release, earlier: Published | None) -> set[Cell]:
    """The cells the public release hides: decided on its own cells and, when there is an
    earlier release, on both at once (:func:`dashboard.export.suppress.carry`)."""
    if earlier is None:
        return protect(model.values, model.shown, model.primary, model.groups, model.cost,
                       model.counts, model.widths)
    c = carry(earlier, model.values)
    return protect({**c.values, **model.values}, model.shown, model.primary | c.primary,
                   model.groups + c.groups, model.cost, model.counts | c.counts,
                   {**c.widths, **model.widths}, known=c.known, keep=c.keep)


def public_release(con: duckdb.DuckDBPyConnection) -> tuple[str, dt.date, str] | None:
    """The public release of the stored results, to record with the warehouse: data version,
    as-of date and payload; None when there is no plan status to release."""
    version = data_version(con)
    if version is None:
        return None
    try:
        f = council_figures(con, audience="public")
    except IvmError as exc:
        if exc.code == "no_results":
            return None
        raise
    assert f.release is not None
    return version["label"], f.as_of, f.release.to_json()


def _first_year(obj: Objective | None) -> int | None:
    if obj is None or obj.baseline is None:
        return None
    try:
        return baseline_years(obj.baseline.period)[0]
    except ValueError:
        return None




#: What a suppressed reason says instead.
HIDDEN_REASON = {
    "nl": "toelichting afgeschermd: ze zou een klein aantal prijsgeven",
    "en": "explanation withheld: it would reveal a small number",
}


def public_records(f: Figures) -> list[dict[str, Any]]:
    """Every status record as the public sees it (the workbook's Samenvatting, as records):
    every suppressed figure taken out, and ``suppressed`` listing which (baseline, target,
    current, reason)."""
    out = []
    for o in f.objectives:
        rec = copy.deepcopy(o.record)
        base_hidden = f.is_hidden(o.base_cell)
        cur_hidden = f.is_hidden(o.current_cell)
        target_hidden = base_hidden and o.relative_target
        reason_hidden = f.reason_hidden(o)
        hidden = [k for k, v in (("baseline", base_hidden), ("target", target_hidden),
                                 ("current", cur_hidden), ("reason", reason_hidden)) if v]
        if base_hidden:
            rec["baseline"]["value"] = None
        if target_hidden:
            rec["target"]["value"] = None
        if cur_hidden:
            rec["current"] = {"period": rec["current"].get("period"), "value": None,
                              "ci_low": None, "ci_high": None, "numerator": None,
                              "denominator": None, "n": None, "n_eff": None}
        if hidden:
            # each of these tells the hidden value to anyone who knows the others
            rec["progress"] = None
            rec["projection"] = {"value": None, "gap": None}
            if isinstance(rec.get("sdg"), dict):
                rec["sdg"] = {"category": rec["sdg"].get("category")}
        if reason_hidden:
            rec["reason"] = dict(HIDDEN_REASON)
            rec["p_value"] = None
        rec["suppressed"] = hidden
        out.append(rec)
    return out
