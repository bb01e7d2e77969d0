"""The plan's status as records: what ``ivm status``, the dashboard and the export all show.

One record per objective and area, in a stable shape (documented in ``docs/cli.md``)::

    {id, title {nl, en}, plan, phase, dimension, owner, partners, indicator, unit {nl, en},
     area {id, name, level}, direction, baseline {period, value}, target {value, change,
     deadline}, current {period, value, numerator, denominator, n, n_eff, ci_low, ci_high},
     test, p_value, progress, sdg {ratio, category, observed_per_year, required_per_year},
     projection {value, gap, low, high}, milestones [{year, change, value}], milestone {year,
     value} (the intermediate target judged now), milestone_before {year, met}, probability,
     chance {nl, en}, comparison {kind, areas, change}, dispersion {phi, df}, evidence
     {comparison, test, now_period,
     base_period, now_value, base_value, change, z, p_value, threshold, months, df,
     significant, counts}, displacement (project areas: see docs/cli.md), event (event
     indicators: every edition against ordinary days and earlier editions), rule, qualifier,
     qualifier_label {nl, en}, status, status_label {nl, en}, symbol, reason {nl, en}, as_of,
     cutoff, plan_version}
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from typing import Any

import duckdb

from core.vocabulary import QUALIFIERS, STATUS_SYMBOLS, STATUSES
from indicators.catalog import Catalog, load_catalog
from indicators.plan import PHASES
from indicators.progress import Progress
from indicators.reasons import chance_words, displacement_words, event_words
from indicators.refresh import current_plan, progress_as_of


@dataclass(frozen=True)
class StatusFilter:
    """Which records to keep (None: all)."""

    objective: str | None = None
    area: str | None = None
    phase: str | None = None
    partner: str | None = None

    def keep(self, rec: dict[str, Any]) -> bool:
        """Whether ``rec`` passes the filter (partner: owner or contributing partner)."""
        if self.objective and rec["id"] != self.objective:
            return False
        if self.area and rec["area"]["id"] != self.area:
            return False
        if self.phase and rec["phase"] != self.phase:
            return False
        partners = [rec["owner"], *rec["partners"]]
        return not (self.partner and self.partner not in partners)


def _num(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _comparison(p: dict[str, Any]) -> dict[str, Any] | None:
    kind = p.get("comparison")
    if not kind:
        return None
    areas = [] if kind == "rest_of_city" else kind.split(",")
    return {"kind": "rest_of_city" if kind == "rest_of_city" else "areas", "areas": areas,
            "change": _num(p.get("comparison_change"))}


def _evidence(evidence: dict[str, Any] | None) -> dict[str, Any] | None:
    if not evidence or "test" not in evidence:
        return None
    keys = ("comparison", "test", "now_period", "base_period", "now_value", "base_value",
            "change", "z", "p_value", "threshold", "months", "df", "significant", "counts")
    return {k: _num(evidence.get(k)) for k in keys}


def _goal(base: Any, value: Any, change: Any) -> Any:
    if value is not None:
        return value
    if base is None or change is None:
        return None
    return _num(base * (1 + change))


def _final_target(p: dict[str, Any], target: dict[str, Any]) -> Any:
    """The final target's value (the judged one may be a milestone's)."""
    if not target:
        return _num(p["target_value"])
    return _goal(p["baseline_value"], target.get("value"), target.get("change"))


def _milestones(p: dict[str, Any], obj: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"year": m["year"], "change": m.get("change"),
             "value": _goal(p["baseline_value"], m.get("value"), m.get("change"))}
            for m in obj.get("milestones") or []]


def _displacement(found: dict[str, Any] | None) -> dict[str, Any] | None:
    if not found:
        return None
    return {**found, "words": {lang: displacement_words(found, lang) for lang in ("nl", "en")}}


def _event(found: dict[str, Any] | None) -> dict[str, Any] | None:
    if not found:
        return None
    return {**found, "words": {lang: event_words(found, lang) for lang in ("nl", "en")}}


def _record(p: dict[str, Any], obj: dict[str, Any], area: tuple[str, str] | None,
            unit: dict[str, str] | None, plan_version: str | None, as_of: dt.date,
            cutoff: dt.date | None) -> dict[str, Any]:
    name, level = area or (None, None)
    evidence = json.loads(p["evidence"]) if p.get("evidence") else None
    target = obj.get("target") or {}
    return {
        "id": obj["id"],
        "title": {"nl": obj["title"]["nl"], "en": obj["title"].get("en") or obj["title"]["nl"]},
        "plan": obj["plan"], "phase": obj["phase"], "dimension": obj.get("dimension"),
        "owner": obj.get("owner"), "partners": list(obj.get("partners") or []),
        "indicator": obj.get("indicator"), "unit": unit,
        "area": {"id": p["area_id"], "name": name, "level": level},
        "direction": p["direction"],
        "baseline": {"period": p["baseline_period"], "value": _num(p["baseline_value"])},
        "target": {"value": _final_target(p, target), "change": target.get("change"),
                   "deadline": obj.get("deadline")},
        "milestones": _milestones(p, obj),
        "milestone": ({"year": evidence["milestone"], "value": _num(p["target_value"])}
                      if evidence and evidence.get("milestone") else None),
        "milestone_before": (evidence or {}).get("milestone_before"),
        "current": {k: _num(p[src]) for k, src in (
            ("period", "current_period"), ("value", "current_value"),
            ("numerator", "numerator"), ("denominator", "denominator"), ("n", "n"),
            ("n_eff", "n_eff"), ("ci_low", "ci_low"), ("ci_high", "ci_high"))},
        "test": p["test"], "p_value": _num(p["p_value"]), "progress": _num(p["position"]),
        "sdg": {"ratio": _num(p["sdg_ratio"]), "category": p["sdg_category"],
                "observed_per_year": _num(p["observed_per_year"]),
                "required_per_year": _num(p["required_per_year"])},
        "projection": {"value": _num(p["projection"]), "gap": _num(p["gap"]),
                       "low": _num(p.get("projection_low")),
                       "high": _num(p.get("projection_high"))},
        "probability": _num(p.get("probability")),
        "chance": {lang: chance_words(_num(p.get("probability")), lang) for lang in ("nl", "en")},
        "comparison": _comparison(p),
        "dispersion": {"phi": _num(p.get("dispersion")),
                       "df": (evidence or {}).get("df")} if p.get("dispersion") else None,
        "evidence": _evidence(evidence),
        "displacement": _displacement((evidence or {}).get("displacement")),
        "event": _event((evidence or {}).get("event")),
        "boundaries": ((evidence or {}).get("boundaries") or {}).get("day"),
        "rule": p.get("rule"), "qualifier": p.get("qualifier"),
        "qualifier_label": (dict(QUALIFIERS[p["qualifier"]]) if p.get("qualifier") in QUALIFIERS
                            else None),
        "status": p["status"], "status_label": dict(STATUSES[p["status"]]),
        "symbol": STATUS_SYMBOLS[p["status"]],
        "reason": {"nl": p["reason_nl"], "en": p["reason_en"]},
        "as_of": as_of.isoformat(),
        "cutoff": cutoff.isoformat() if isinstance(cutoff, dt.date) else cutoff,
        "plan_version": plan_version,
    }


def status_records(
    con: duckdb.DuckDBPyConnection, where: StatusFilter | None = None,
    as_of: dt.date | None = None, catalog: Catalog | None = None,
) -> list[dict[str, Any]]:
    """The status records, from the stored results (or computed for another ``as_of``)."""
    where = where or StatusFilter()
    stored = con.execute(
        "SELECT as_of FROM refresh_log ORDER BY refresh_id DESC LIMIT 1").fetchall()
    stored_as_of = stored[0][0] if stored else None
    areas = {a: (n, lv) for a, n, lv in con.execute(
        "SELECT area_id, name, level FROM area").fetchall()}
    catalog = catalog or load_catalog()
    units = {i.id: {"nl": i.unit.nl, "en": i.unit.en} for i in catalog}
    version, objectives = current_plan(con)
    specs = {o.id: o.model_dump(mode="json") for o in objectives}
    if as_of is None or as_of == stored_as_of:
        if stored_as_of is None:
            return []
        cur = con.execute(
            "SELECT * FROM objective_progress WHERE plan_version = ? "
            "ORDER BY objective_id, area_id", [version])
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        run_as_of = stored_as_of
    else:
        version, progress, cov = progress_as_of(con, as_of, catalog)
        rows = []
        for p in progress:
            d = p.as_dict()
            ind = catalog.indicators.get(p.indicator_id or "")
            c = cov.get(ind.source) if ind else None
            rows.append({**d, "cutoff": c.cutoff if c else None})
        run_as_of = as_of
    out = []
    for p in rows:
        obj = specs.get(p["objective_id"])
        if obj is None:
            continue
        rec = _record(p, obj, areas.get(p["area_id"]), units.get(obj.get("indicator") or ""),
                      version, run_as_of, p.get("cutoff"))
        if where.keep(rec):
            out.append(rec)
    order = {ph: i for i, ph in enumerate(PHASES)}
    out.sort(key=lambda r: (order.get(r["phase"], 9), r["id"], r["area"]["id"]))
    return out


def status_counts(records: list[dict[str, Any]]) -> dict[str, int]:
    """How many records have each status, in the canonical order."""
    counts = dict.fromkeys(STATUSES, 0)
    for r in records:
        counts[r["status"]] += 1
    return counts


def to_json(records: list[dict[str, Any]]) -> str:
    """The records as stable JSON (sorted keys, ISO dates)."""
    return json.dumps(records, indent=2, sort_keys=True, ensure_ascii=False, default=str)


__all__ = ["StatusFilter", "Progress", "status_counts", "status_records",
           "to_json"]
