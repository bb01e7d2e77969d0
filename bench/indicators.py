"""The indicator benchmark: every indicator x area level x period, next to two yardsticks.

The warehouse is the demo plan's (``ivm demo``, seed 2011, as of 24/11/2026) at city or national
scale, built in the work folder (or reused when it is there already), or any demo warehouse
given with ``--db`` (opened read only). Three variants compute the same numbers, each run in
its own subprocess (interpreter start-up, imports and opening the connection not timed):

``ivmonitor``
    What a refresh does with the values: :func:`indicators.compute.compute_values` for the
    covered indicators, written sorted into storage order into a table with the columns of
    ``indicator_value`` (a temp table, as the warehouse is open read only; a refresh inserts the
    same SELECTs into ``indicator_value``): one scan per source for all its additive
    indicators, sums rolled up into ancestor areas and periods on integer keys, values and
    intervals in SQL.
``duckdb``
    One statement written by hand in this file (CTEs, no :mod:`indicators.compile`): each fact
    table is read once with a ``count(*) FILTER (WHERE ...)`` column per indicator per finest
    area and month (the conditions are the small hand-made tables below), unnested to
    (indicator, area, month) rows, joined to the area closure (a recursive CTE over
    ``area_link`` and ``area.parent_id``) and the period map, grouped by integer numbers of
    indicator, ancestor area and period (the labels are joined back afterwards); medians group
    the fact rows themselves; rates take the population of the latest year up to the year the
    period ends (a small lookup per area and year, hash-joined).
``pandas``
    A straightforward pandas pipeline: the fact tables read into DataFrames, a boolean mask per
    indicator, ``groupby`` per finest area and month, ``merge`` with the closure (built with
    iterated merges) and the period map, ``groupby`` again, ``merge_asof`` for populations.
    When the warehouse has more than :data:`PANDAS_MAX_FACTS` fact rows it runs on every k-th
    municipality only (a deterministic subset) and its time is extrapolated linearly by fact
    rows (marked as such).

All three build the area closure, the period map (rows of :func:`indicators.periods.period_rows`)
and the sources' coverage (:func:`indicators.compute.coverage`) inside their timed region, as
``compute_values`` does. Before any timing, a check round runs each variant once and compares
the results key by key (indicator, area, period type, period): the same keys, and ``n``,
numerator, denominator and value equal within 1e-9 relative, NULL only against NULL. pandas on
a subset is checked against the hand-written query on the same subset.

``--memory-limit`` sets DuckDB's ``memory_limit`` on the warehouse connection of every variant
(ivmonitor's and the hand-written query's alike); without it DuckDB takes 80% of RAM.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.load import format_markdown, format_text, git_commit, machine_facts
from core.sqltext import lit

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "RESULTS.md"

SCALES = ("city", "national")
SEED = 2011
AS_OF = dt.date(2026, 11, 24)
VARIANTS = ("ivmonitor", "duckdb", "pandas")
LABELS = {
    "ivmonitor": "ivmonitor compute_values",
    "duckdb": "DuckDB hand-written",
    "pandas": "pandas groupby",
}
#: Above this many fact rows pandas runs on a subset of municipalities (then extrapolated).
PANDAS_MAX_FACTS = 1_000_000
#: Targets: ivmonitor takes at most 2 x the hand-written query, pandas at least 10 x ivmonitor.
TARGET_DUCKDB = 2.0
TARGET_PANDAS = 10.0
#: Relative tolerance of the agreement check.
RTOL = 1e-9
AGREEMENT = "agreement: "

# --------------------------------------------------------------------------------------------
# The hand-made tables of what each indicator counts (written from the catalogue's YAML by hand;
# the check round proves they match it). Shapes: ``count`` (rows), ``rate`` (rows per ``factor``
# inhabitants or households), ``sum`` (of a column), ``share`` (rows meeting ``hit`` among the
# rows of ``base``, weight 1), ``wshare`` (weighted survey share), ``wmean`` (weighted mean).

_BURGLARY = "category IN ('residential_burglary', 'residential_burglary_attempt')"
_CRIME = "category <> 'intra_family_violence'"  # category is NOT NULL in the warehouse
_P1_KNOWN = ("priority = 1 AND reported_at IS NOT NULL AND arrived_at IS NOT NULL "
             "AND arrived_at >= reported_at")
_P1_MINUTES = "(epoch(arrived_at) - epoch(reported_at)) / 60.0"
_CLOSE_DAYS = "(epoch(closed_at) - epoch(reported_at)) / 86400.0"

#: indicator id -> (shape, base condition, hit / value expression, population)
INCIDENTS: dict[str, tuple[str, str, str | None, str | None]] = {
    "crime_count": ("count", _CRIME, None, None),
    "crime_rate": ("rate", _CRIME, None, "inhabitants"),
    "bicycle_theft_count": ("count", "category = 'bicycle_theft'", None, None),
    "drugs_count": ("count", "category = 'drugs'", None, None),
    "intra_family_violence_count": ("count", "category = 'intra_family_violence'", None, None),
    "pickpocketing_count": ("count", "category = 'pickpocketing'", None, None),
    "residential_burglary_count": ("count", _BURGLARY, None, None),
    "residential_burglary_rate": ("rate", _BURGLARY, None, "households"),
    "traffic_injury_accidents_count": ("count", "category = 'traffic_accident_injury'", None,
                                       None),
    "vandalism_count": ("count", "category = 'vandalism'", None, None),
    "violence_public_space_count": ("count", "category = 'violence_public_space'", None, None),
    "carnival_violence_count": ("count", "category = 'violence_public_space' "
                                "AND day IN ({carnival})", None, None),
    "p1_within_15min_share": ("share", _P1_KNOWN, f"{_P1_MINUTES} <= 15", None),
}
NUISANCE: dict[str, tuple[str, str, str | None, str | None]] = {
    "nuisance_report_count": ("count", "true", None, None),
    "nuisance_drug_reports": ("count", "type = 'drug_nuisance'", None, None),
    "nuisance_litter_reports": ("count", "type = 'litter_dumping'", None, None),
    "nuisance_noise_reports": ("count", "type = 'noise'", None, None),
    "gas_fine_share_litter": ("share", "type = 'litter_dumping'", "gas_fine", None),
}
ACTIVITIES: dict[str, tuple[str, str, str | None, str | None]] = {
    "emergency_exercises": ("sum", "activity_type = 'oefening noodplan'", "quantity", None),
    "patrol_hours": ("sum", "activity_type = 'patrouille-uren'", "quantity", None),
    "permit_screenings": ("sum", "activity_type = 'vergunningsscreening'", "quantity", None),
    "techno_prevention_visits": ("sum", "activity_type = 'technopreventief advies'", "quantity",
                                 None),
    "victim_support_referrals": ("sum", "activity_type = 'doorverwijzing slachtofferhulp'",
                                 "quantity", None),
    "youth_work_contacts": ("sum", "activity_type = 'contact jeugdwerk'", "quantity", None),
}
SURVEY: dict[str, tuple[str, str, str | None, str | None]] = {
    "avoid_places_share": ("wshare", "question_id = 'q_vermijden'", "answer = 'ja'", None),
    "unsafe_feeling_share": ("wshare", "question_id = 'q_onveilig_buurt'",
                             "answer IN ('4', '5')", None),
    "victimisation_share": ("wshare", "question_id = 'q_slachtoffer_12m'", "answer = 'ja'",
                            None),
    "police_satisfaction_mean": ("wmean", "question_id = 'q_tevreden_politie' "
                                 "AND TRY_CAST(answer AS DOUBLE) IS NOT NULL",
                                 "TRY_CAST(answer AS DOUBLE)", None),
}
#: indicator id -> (source kind, fact table, day expression, base condition, value x)
MEDIANS: dict[str, tuple[str, str, str, str, str]] = {
    "p1_response_minutes_median": ("incidents", "incident", "CAST(occurred_at AS DATE)",
                                   _P1_KNOWN, _P1_MINUTES),
    "nuisance_close_days_median": ("nuisance", "nuisance", "CAST(reported_at AS DATE)",
                                   "reported_at IS NOT NULL AND closed_at IS NOT NULL "
                                   "AND closed_at >= reported_at", _CLOSE_DAYS),
}
#: Per-1,000 factor of the rates.
RATE_FACTOR = 1000.0
#: The event the carnival indicator is limited to (its held days come from the warehouse).
CARNIVAL_EVENT = "aalst_carnival"


def covered() -> list[str]:
    """Every indicator the hand-written query (and so every variant) computes."""
    return [*INCIDENTS, *NUISANCE, *ACTIVITIES, *SURVEY, *MEDIANS]


def measure_kinds() -> dict[str, list[str]]:
    """Covered indicators by the catalogue's measure kind."""
    from indicators.catalog import load_catalog

    out: dict[str, list[str]] = {}
    for ind in load_catalog():
        if ind.id in covered():
            out.setdefault(ind.measure, []).append(ind.id)
    return out


# --------------------------------------------------------------------------------------------
# Setup shared by the variants (inside their timed region): coverage and the period map


def _setup(con, as_of: dt.date):
    """(coverage per source kind, period map rows, the carnival's held days as loaded)."""
    from indicators.compute import coverage
    from indicators.events import editions
    from indicators.periods import period_rows
    from indicators.sources import SOURCES

    cov = coverage(con, as_of)
    days = [d for e in editions(con, CARNIVAL_EVENT) if not e.cancelled for d in e.days]
    if not cov:
        return cov, [], days
    first = min(c.data_start for c in cov.values())
    last = max(c.cutoff for c in cov.values())
    anchors = {k: c.anchor for k, c in cov.items() if not SOURCES[k].survey}
    return cov, period_rows(first, last, anchors), days


def _period_arrow(rows: list[tuple]):
    import pyarrow as pa

    cols = list(zip(*rows, strict=True)) if rows else [[]] * 6
    return pa.table({
        "month": pa.array(cols[0], pa.date32()),
        "kind": pa.array(cols[1], pa.string()),
        "period_type": pa.array(cols[2], pa.string()),
        "period": pa.array(cols[3], pa.string()),
        "period_start": pa.array(cols[4], pa.date32()),
        "period_end": pa.array(cols[5], pa.date32()),
    })


# --------------------------------------------------------------------------------------------
# DuckDB, hand-written


def _aggs(defs: dict, numbers: dict[str, int], weight: str | None = None
          ) -> tuple[list[str], list[str]]:
    """The FILTER aggregates of one fact table and the structs that unnest them."""
    aggs, structs = [], []
    for k, (ind, (shape, base, hit, _pop)) in enumerate(defs.items()):
        c = f"c{k}"
        aggs.append(f"count(*) FILTER (WHERE {base}) AS {c}_n")
        if shape in ("count", "rate"):
            num, den = f"CAST({c}_n AS DOUBLE)", "CAST(NULL AS DOUBLE)"
        elif shape == "sum":
            aggs.append(f"sum({hit}) FILTER (WHERE {base}) AS {c}_num")
            num, den = f"{c}_num", "CAST(NULL AS DOUBLE)"
        elif shape == "share":
            aggs.append(f"sum(CASE WHEN {hit} THEN 1.0 ELSE 0.0 END) FILTER (WHERE {base}) "
                        f"AS {c}_num")
            num, den = f"{c}_num", f"CAST({c}_n AS DOUBLE)"
        elif shape == "wshare":
            aggs.append(f"sum(CASE WHEN {hit} THEN {weight} ELSE 0.0 END) FILTER (WHERE {base}) "
                        f"AS {c}_num")
            aggs.append(f"sum({weight}) FILTER (WHERE {base}) AS {c}_den")
            num, den = f"{c}_num", f"{c}_den"
        else:  # wmean
            aggs.append(f"sum({weight} * {hit}) FILTER (WHERE {base}) AS {c}_num")
            aggs.append(f"sum({weight}) FILTER (WHERE {base}) AS {c}_den")
            num, den = f"{c}_num", f"{c}_den"
        structs.append(f"{{i: {numbers[ind]}, n: CAST({c}_n AS DOUBLE), "
                       f"num: CAST({num} AS DOUBLE), den: {den}}}")
    return aggs, structs


def handwritten_sql(as_of: dt.date, cov: dict, carnival_days: list[dt.date],
                    subset: bool = False) -> str:
    """The one statement of the hand-written variant (reads ``bench_period_map`` and, with
    ``subset``, ``bench_subset``).

    The roll-up groups by small integer keys (indicator, ancestor area and period numbers) and
    joins the labels back afterwards: the natural keys (seven columns, most of them text) make
    DuckDB's hash aggregate several times heavier at national scale.
    """
    from indicators.sources import SOURCES

    day_max = f"DATE '{as_of.isoformat()}'"
    carnival = ", ".join(f"DATE '{d.isoformat()}'" for d in carnival_days) or "NULL"
    only = " AND area_id IN (SELECT area_id FROM bench_subset)" if subset else ""
    kinds = ", ".join(
        f"({lit(k)}, DATE '{c.data_start.isoformat()}', DATE '{c.cutoff.isoformat()}', "
        f"{'true' if SOURCES[k].survey else 'false'})" for k, c in cov.items()
    ) or "(NULL, NULL, NULL, NULL)"
    numbers = {ind: k for k, ind in enumerate(covered())}
    kind_of = {**{i: "incidents" for i in INCIDENTS}, **{i: "nuisance" for i in NUISANCE},
               **{i: "activities" for i in ACTIVITIES}, **{i: "survey" for i in SURVEY},
               **{i: m[0] for i, m in MEDIANS.items()}}
    population = {i: d[3] for defs in (INCIDENTS, NUISANCE, ACTIVITIES, SURVEY)
                  for i, d in defs.items()}
    inds = ", ".join(
        f"({numbers[i]}, {lit(i)}, {lit(kind_of[i])}, "
        f"{lit(population[i]) if population.get(i) else 'NULL'}, "
        f"{repr(RATE_FACTOR) if population.get(i) else 'NULL'})" for i in covered()
    )
    inc_aggs, inc_structs = _aggs({k: (s, b.format(carnival=carnival), h, p)
                                   for k, (s, b, h, p) in INCIDENTS.items()}, numbers)
    nui_aggs, nui_structs = _aggs(NUISANCE, numbers)
    act_aggs, act_structs = _aggs(ACTIVITIES, numbers)
    srv_aggs, srv_structs = _aggs(SURVEY, numbers, weight="weight")
    questions = ", ".join(lit(q) for q in sorted({b.split("'")[1]
                                                   for _, b, _, _ in SURVEY.values()}))
    medians = "\n  UNION ALL ".join(
        f"SELECT {numbers[ind]} AS indicator_no, {lit(kind)} AS kind, area_id, "
        f"CAST(date_trunc('month', {day}) AS DATE) AS month, {x} AS x "
        f"FROM {table} WHERE {base} AND {day} <= {day_max}{only}"
        for ind, (kind, table, day, base, x) in MEDIANS.items()
    )
    nl = ",\n    "
    return f"""
WITH RECURSIVE
edges AS (
  SELECT area_id, parent_id, coalesce(valid_from, DATE '0001-01-01') AS f,
         DATE '9999-12-31' AS t FROM area_link
  UNION ALL SELECT area_id, parent_id, coalesce(valid_from, DATE '0001-01-01'), valid_to
  FROM area_link_history
  UNION ALL SELECT area_id, parent_id, DATE '0001-01-01', DATE '9999-12-31' FROM area a
  WHERE parent_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM area_link l WHERE l.area_id = a.area_id AND l.parent_id = a.parent_id)),
up(area_id, ancestor_id, f, t) AS (
  SELECT area_id, area_id, DATE '0001-01-01', DATE '9999-12-31' FROM area
  UNION SELECT up.area_id, e.parent_id, greatest(up.f, e.f), least(up.t, e.t)
  FROM up JOIN edges e ON e.area_id = up.ancestor_id
  WHERE greatest(up.f, e.f) <= least(up.t, e.t)),
ancestors AS MATERIALIZED (
  SELECT area_id AS ancestor_id, level AS ancestor_level,
         row_number() OVER (ORDER BY area_id) AS ancestor_no FROM area),
spans AS MATERIALIZED (
  SELECT up.area_id, a.ancestor_no, up.f, up.t
  FROM up JOIN ancestors a ON a.ancestor_id = up.ancestor_id),
periods AS MATERIALIZED (
  SELECT month, kind, period_type, dense_rank() OVER (ORDER BY period_type, period) AS period_no
  FROM bench_period_map),
period_labels AS (
  SELECT DISTINCT dense_rank() OVER (ORDER BY period_type, period) AS period_no, period_type,
         period, period_start, period_end, year(period_end) AS year_end
  FROM bench_period_map),
kinds(kind, data_start, cutoff, survey) AS (VALUES {kinds}),
inds(indicator_no, indicator_id, kind, population, factor) AS (VALUES {inds}),
inc AS (
  SELECT area_id, CAST(date_trunc('month', day) AS DATE) AS month,
    {nl.join(inc_aggs)}
  FROM (SELECT *, CAST(occurred_at AS DATE) AS day FROM incident)
  WHERE day <= {day_max}{only}
  GROUP BY ALL),
nui AS (
  SELECT area_id, CAST(date_trunc('month', day) AS DATE) AS month,
    {nl.join(nui_aggs)}
  FROM (SELECT *, CAST(reported_at AS DATE) AS day FROM nuisance)
  WHERE day <= {day_max}{only}
  GROUP BY ALL),
act AS (
  SELECT area_id, CAST(date_trunc('month', activity_date) AS DATE) AS month,
    {nl.join(act_aggs)}
  FROM activity
  WHERE activity_date <= {day_max}{only}
  GROUP BY ALL),
srv AS (
  SELECT area_id, month,
    {nl.join(srv_aggs)}
  FROM (SELECT r.area_id, make_date(CAST(r.wave AS INTEGER), 7, 1) AS month, r.weight,
               a.question_id, a.answer
        FROM survey_response r JOIN survey_answer a
          ON a.source = r.source AND a.source_id = r.source_id
        WHERE a.question_id IN ({questions})
          AND a.answer IS NOT NULL AND a.answer <> '')
  WHERE month <= {day_max}{only}
  GROUP BY ALL),
months AS (
  SELECT DISTINCT area_id, month FROM inc UNION SELECT DISTINCT area_id, month FROM nui
  UNION SELECT DISTINCT area_id, month FROM act UNION SELECT DISTINCT area_id, month FROM srv
  UNION SELECT DISTINCT area_id, make_date(year, 1, 1) FROM population),
closure AS MATERIALIZED (
  -- each (area, month) with every area it lay in that month, once (two chains of links to one
  -- ancestor give one row)
  SELECT DISTINCT m.area_id, m.month, s.ancestor_no FROM months m
  JOIN spans s ON s.area_id = m.area_id AND m.month BETWEEN s.f AND s.t),
pop AS (
  SELECT y.year_end, pp.ancestor_no, pp.inhabitants, pp.households
  FROM (SELECT DISTINCT year(period_end) AS year_end FROM bench_period_map) y
  JOIN (SELECT c.ancestor_no, p.year, sum(p.inhabitants) AS inhabitants,
               sum(p.households) AS households
        FROM population p JOIN closure c ON c.area_id = p.area_id
             AND c.month = make_date(p.year, 1, 1)
        WHERE true{only.replace('area_id', 'p.area_id', 1)}
        GROUP BY ALL) pp ON pp.year <= y.year_end
  QUALIFY row_number() OVER (PARTITION BY pp.ancestor_no, y.year_end ORDER BY pp.year DESC) = 1),
monthly AS (
  SELECT kind, area_id, month, v.i AS indicator_no, v.n, v.num, v.den FROM (
    SELECT 'incidents' AS kind, area_id, month, unnest([{', '.join(inc_structs)}]) AS v FROM inc
    UNION ALL
    SELECT 'nuisance', area_id, month, unnest([{', '.join(nui_structs)}]) FROM nui
    UNION ALL
    SELECT 'activities', area_id, month, unnest([{', '.join(act_structs)}]) FROM act
    UNION ALL
    SELECT 'survey', area_id, month, unnest([{', '.join(srv_structs)}]) FROM srv)
  WHERE v.n > 0),
rolled AS (
  SELECT m.indicator_no, c.ancestor_no, p.period_no,
         sum(m.n) AS n, sum(m.num) AS num, sum(m.den) AS den
  FROM monthly m
  JOIN closure c ON c.area_id = m.area_id AND c.month = m.month
  JOIN kinds k ON k.kind = m.kind
  JOIN periods p ON p.month = m.month AND (p.kind IS NULL OR p.kind = m.kind)
       AND (NOT k.survey OR p.period_type = 'year')
  GROUP BY ALL),
facts AS (
  {medians}),
medians AS (
  SELECT f.indicator_no, c.ancestor_no, p.period_no,
         CAST(count(*) AS DOUBLE) AS n, quantile_cont(f.x, 0.5) AS x
  FROM facts f
  JOIN closure c ON c.area_id = f.area_id AND c.month = f.month
  JOIN kinds k ON k.kind = f.kind
  JOIN periods p ON p.month = f.month AND (p.kind IS NULL OR p.kind = f.kind)
       AND (NOT k.survey OR p.period_type = 'year')
  GROUP BY ALL),
sums AS (
  SELECT r.indicator_no, r.ancestor_no, r.period_no, r.n, r.num,
         CAST(CASE i.population WHEN 'households' THEN pp.households
                                WHEN 'inhabitants' THEN pp.inhabitants
                                ELSE r.den END AS DOUBLE) AS den,
         i.factor, CAST(NULL AS DOUBLE) AS x
  FROM rolled r
  JOIN inds i ON i.indicator_no = r.indicator_no
  JOIN period_labels l ON l.period_no = r.period_no
  LEFT JOIN pop pp ON i.population IS NOT NULL AND pp.ancestor_no = r.ancestor_no
       AND pp.year_end = l.year_end
  UNION ALL
  SELECT indicator_no, ancestor_no, period_no, n, NULL, NULL, NULL, x FROM medians)
SELECT i.indicator_id, a.ancestor_id AS area_id, a.ancestor_level AS area_level,
       l.period_type, l.period, l.period_start, l.period_end,
       k.survey OR (l.period_start >= k.data_start AND l.period_end <= k.cutoff) AS complete,
       s.n, s.num AS numerator, CASE WHEN s.den > 0 THEN s.den END AS denominator,
       CASE WHEN s.x IS NOT NULL THEN s.x
            WHEN s.den IS NULL AND s.factor IS NULL THEN s.num
            WHEN s.den > 0 THEN s.num * coalesce(s.factor, 1.0) / s.den END AS value
FROM sums s
JOIN inds i ON i.indicator_no = s.indicator_no
JOIN kinds k ON k.kind = i.kind
JOIN ancestors a ON a.ancestor_no = s.ancestor_no
JOIN period_labels l ON l.period_no = s.period_no
"""


def duckdb_values(con, as_of: dt.date, subset: list[str] | None = None):
    """The hand-written variant: coverage, period map and the one statement (Arrow table)."""
    import pyarrow as pa

    cov, rows, carnival_days = _setup(con, as_of)
    con.register("bench_period_map", _period_arrow(rows))
    if subset is not None:
        con.register("bench_subset", pa.table({"area_id": pa.array(subset, pa.string())}))
    try:
        sql = handwritten_sql(as_of, cov, carnival_days, subset is not None)
        return con.sql(sql).to_arrow_table()
    finally:
        con.unregister("bench_period_map")
        if subset is not None:
            con.unregister("bench_subset")


# --------------------------------------------------------------------------------------------
# pandas


_PANDAS_CONDITIONS = {
    # the same hand-made conditions, as pandas expressions over a fact DataFrame ``f``
    "crime_count": lambda f: f.category != "intra_family_violence",
    "crime_rate": lambda f: f.category != "intra_family_violence",
    "bicycle_theft_count": lambda f: f.category == "bicycle_theft",
    "drugs_count": lambda f: f.category == "drugs",
    "intra_family_violence_count": lambda f: f.category == "intra_family_violence",
    "pickpocketing_count": lambda f: f.category == "pickpocketing",
    "residential_burglary_count": lambda f: f.category.isin(
        ["residential_burglary", "residential_burglary_attempt"]),
    "residential_burglary_rate": lambda f: f.category.isin(
        ["residential_burglary", "residential_burglary_attempt"]),
    "traffic_injury_accidents_count": lambda f: f.category == "traffic_accident_injury",
    "vandalism_count": lambda f: f.category == "vandalism",
    "violence_public_space_count": lambda f: f.category == "violence_public_space",
    "carnival_violence_count": lambda f: (f.category == "violence_public_space") & f.carnival,
    "p1_within_15min_share": lambda f: (f.priority == 1) & (f.arrived_at >= f.reported_at),
    "nuisance_report_count": lambda f: f.type.notna(),
    "nuisance_drug_reports": lambda f: f.type == "drug_nuisance",
    "nuisance_litter_reports": lambda f: f.type == "litter_dumping",
    "nuisance_noise_reports": lambda f: f.type == "noise",
    "gas_fine_share_litter": lambda f: f.type == "litter_dumping",
    "emergency_exercises": lambda f: f.activity_type == "oefening noodplan",
    "patrol_hours": lambda f: f.activity_type == "patrouille-uren",
    "permit_screenings": lambda f: f.activity_type == "vergunningsscreening",
    "techno_prevention_visits": lambda f: f.activity_type == "technopreventief advies",
    "victim_support_referrals": lambda f: f.activity_type == "doorverwijzing slachtofferhulp",
    "youth_work_contacts": lambda f: f.activity_type == "contact jeugdwerk",
    "avoid_places_share": lambda f: f.question_id == "q_vermijden",
    "unsafe_feeling_share": lambda f: f.question_id == "q_onveilig_buurt",
    "victimisation_share": lambda f: f.question_id == "q_slachtoffer_12m",
    "police_satisfaction_mean": lambda f: (f.question_id == "q_tevreden_politie")
    & f.x.notna(),
    "p1_response_minutes_median": lambda f: (f.priority == 1) & (f.arrived_at >= f.reported_at),
    "nuisance_close_days_median": lambda f: f.closed_at >= f.reported_at,
}
_PANDAS_HITS = {
    "p1_within_15min_share": lambda f: f.minutes <= 15,
    "gas_fine_share_litter": lambda f: f.gas_fine.fillna(False).astype(bool),
    "avoid_places_share": lambda f: f.answer == "ja",
    "unsafe_feeling_share": lambda f: f.answer.isin(["4", "5"]),
    "victimisation_share": lambda f: f.answer == "ja",
}


def pandas_values(con, as_of: dt.date, subset: list[str] | None = None, timings=None):
    """The pandas variant: read, mask, groupby, merge, groupby (a DataFrame)."""
    import numpy as np
    import pandas as pd

    from indicators.sources import SOURCES

    timings = {} if timings is None else timings
    cov, rows, carnival_days = _setup(con, as_of)
    t0 = time.perf_counter()
    if subset is not None:
        import pyarrow as pa

        con.register("bench_subset", pa.table({"area_id": pa.array(subset, pa.string())}))
    where = " WHERE area_id IN (SELECT area_id FROM bench_subset)" if subset is not None else ""

    def read(sql: str) -> pd.DataFrame:
        return con.execute(sql).df()

    area = read("SELECT area_id, parent_id, level FROM area")
    link = read("SELECT area_id, parent_id, valid_from FROM area_link")
    history = read("SELECT area_id, parent_id, valid_from, valid_to FROM area_link_history")
    pop = read("SELECT area_id, year, inhabitants, households FROM population" + where)
    inc = read("SELECT area_id, category, occurred_at, reported_at, arrived_at, priority "
               "FROM incident" + where)
    nui = read("SELECT area_id, type, reported_at, closed_at, gas_fine FROM nuisance" + where)
    act = read("SELECT area_id, activity_type, activity_date, quantity FROM activity" + where)
    resp = read("SELECT source, source_id, wave, area_id, weight FROM survey_response" + where)
    answers = read("SELECT source, source_id, question_id, answer FROM survey_answer")
    if subset is not None:
        con.unregister("bench_subset")
    timings["read"] = time.perf_counter() - t0

    # the area closure: every area with itself and every ancestor over the span its chain of
    # links holds (ended links from area_link_history), by iterated merges
    early, late = pd.Timestamp("1000-01-01"), pd.Timestamp("2999-12-31")
    link["f"] = pd.to_datetime(link.valid_from).fillna(early)
    link["t"] = late
    ended = history.assign(f=pd.to_datetime(history.valid_from).fillna(early),
                           t=pd.to_datetime(history.valid_to))
    own = area.loc[area.parent_id.notna(), ["area_id", "parent_id"]].merge(
        link[["area_id", "parent_id"]], how="left", indicator=True)
    own = own.loc[own["_merge"] == "left_only", ["area_id", "parent_id"]].assign(f=early, t=late)
    edges = pd.concat([link[["area_id", "parent_id", "f", "t"]],
                       ended[["area_id", "parent_id", "f", "t"]], own], ignore_index=True)
    closure = pd.DataFrame({"area_id": area.area_id, "ancestor_id": area.area_id, "f": early,
                            "t": late})
    frontier = closure
    while len(frontier):
        step = frontier.merge(edges, left_on="ancestor_id", right_on="area_id",
                              suffixes=("", "_e"))
        step["f"] = step[["f", "f_e"]].max(axis=1)
        step["t"] = step[["t", "t_e"]].min(axis=1)
        step = step.loc[step.f <= step.t, ["area_id", "parent_id", "f", "t"]].rename(
            columns={"parent_id": "ancestor_id"})
        step = step.drop_duplicates().merge(closure, how="left", indicator=True)
        frontier = step.loc[step["_merge"] == "left_only", ["area_id", "ancestor_id", "f", "t"]]
        closure = pd.concat([closure, frontier], ignore_index=True)
    levels = area.set_index("area_id")["level"]
    closure["area_level"] = closure.ancestor_id.map(levels)

    def in_areas(df: pd.DataFrame, when: pd.Series) -> pd.DataFrame:
        """``df`` with the areas each row lay in at ``when`` (a row per ancestor, once)."""
        df = df.assign(_when=when.values, _row=np.arange(len(df))).merge(closure, on="area_id")
        df = df[(df._when >= df.f) & (df._when <= df.t)]
        return df.drop_duplicates(subset=["_row", "ancestor_id"]).drop(
            columns=["_when", "_row", "f", "t"])

    # the period map and the sources' coverage
    pm = pd.DataFrame(rows, columns=["month", "kind", "period_type", "period", "period_start",
                                     "period_end"])
    for c in ("month", "period_start", "period_end"):
        pm[c] = pd.to_datetime(pm[c]).astype("datetime64[s]")
    kinds = pd.DataFrame([(k, c.data_start, c.cutoff, SOURCES[k].survey)
                          for k, c in cov.items()],
                         columns=["kind", "data_start", "cutoff", "survey"])
    for c in ("data_start", "cutoff"):
        kinds[c] = pd.to_datetime(kinds[c]).astype("datetime64[s]")
    limit = pd.Timestamp(as_of)

    def month_of(day: pd.Series) -> pd.Series:
        return day.dt.to_period("M").dt.start_time.astype("datetime64[s]")

    # facts per source, with the day each falls on
    inc["day"] = inc.occurred_at.dt.normalize()
    inc = inc[inc.day <= limit]
    carnival = pd.to_datetime(carnival_days)
    inc["carnival"] = inc.day.isin(carnival.astype(inc.day.dtype))
    inc["minutes"] = (inc.arrived_at - inc.reported_at).dt.total_seconds() / 60.0
    nui["day"] = nui.reported_at.dt.normalize()
    nui = nui[nui.day <= limit]
    nui["days"] = (nui.closed_at - nui.reported_at).dt.total_seconds() / 86400.0
    act["day"] = pd.to_datetime(act.activity_date)
    act = act[act.day <= limit]
    srv = resp.merge(answers, on=["source", "source_id"])
    srv = srv[srv.answer.notna() & (srv.answer != "")]
    srv["day"] = pd.to_datetime(srv.wave.astype(int).astype(str) + "-07-01")
    srv = srv[srv.day <= limit]
    srv["x"] = pd.to_numeric(srv.answer, errors="coerce")
    frames = {"incidents": inc, "nuisance": nui, "activities": act, "survey": srv}
    for f in frames.values():
        f["month"] = month_of(f.day)

    # additive measures per finest area and month
    shapes = {**INCIDENTS, **NUISANCE, **ACTIVITIES, **SURVEY}
    parts = []
    for kind, defs in (("incidents", INCIDENTS), ("nuisance", NUISANCE),
                       ("activities", ACTIVITIES), ("survey", SURVEY)):
        f = frames[kind]
        for ind, (shape, *_rest) in defs.items():
            rows_ = f[_PANDAS_CONDITIONS[ind](f)].copy()
            rows_["one"] = 1.0
            if shape in ("count", "rate"):
                rows_["num"], rows_["den"] = 1.0, np.nan
            elif shape == "sum":
                rows_["num"], rows_["den"] = rows_.quantity, np.nan
            elif shape == "share":
                rows_["num"] = _PANDAS_HITS[ind](rows_).astype(float)
                rows_["den"] = 1.0
            elif shape == "wshare":
                rows_["num"] = np.where(_PANDAS_HITS[ind](rows_), rows_.weight, 0.0)
                rows_["den"] = rows_.weight
            else:  # wmean
                rows_["num"] = rows_.weight * rows_.x
                rows_["den"] = rows_.weight
            g = rows_.groupby(["area_id", "month"], as_index=False).agg(
                n=("one", "sum"), num=("num", "sum"), den=("den", "sum"))
            if shape in ("count", "rate", "sum"):
                g["den"] = np.nan
            g["indicator_id"], g["kind"] = ind, kind
            parts.append(g)
    monthly = pd.concat(parts, ignore_index=True)

    def to_periods(df: pd.DataFrame) -> pd.DataFrame:
        df = in_areas(df, pd.to_datetime(df.month))
        df = df.merge(kinds, on="kind")
        calendar = df.merge(pm[pm.kind.isna()].drop(columns="kind"), on="month")
        windows = df.merge(pm[pm.kind.notna()], on=["month", "kind"])
        df = pd.concat([calendar, windows], ignore_index=True)
        df = df[~df.survey | (df.period_type == "year")]
        df["complete"] = df.survey | ((df.period_start >= df.data_start)
                                      & (df.period_end <= df.cutoff))
        return df

    keys = ["indicator_id", "ancestor_id", "area_level", "period_type", "period",
            "period_start", "period_end", "complete"]
    rolled = to_periods(monthly).groupby(keys, as_index=False).agg(
        n=("n", "sum"), num=("num", "sum"), den=("den", "sum"))
    no_den = [i for i, (s, *_r) in shapes.items() if s in ("count", "rate", "sum")]
    rolled.loc[rolled.indicator_id.isin(no_den), "den"] = np.nan
    rolled["value"] = np.where(rolled.den.isna(), rolled.num, rolled.num / rolled.den)
    rolled.loc[rolled.den.notna() & ~(rolled.den > 0), "value"] = np.nan

    # rates: the population of the ancestor area, the latest year up to the period's end
    rate_ids = {i: p for i, (s, _b, _h, p) in shapes.items() if s == "rate"}
    pop_up = in_areas(pop, pd.to_datetime(pop.year.astype(str) + "-01-01")).groupby(
        ["ancestor_id", "year"], as_index=False)[["inhabitants", "households"]].sum(min_count=1)
    pop_up["year"] = pop_up.year.astype("int64")
    is_rate = rolled.indicator_id.isin(list(rate_ids))
    rates = rolled[is_rate].copy()
    rates["year"] = rates.period_end.dt.year.astype("int64")
    rates = pd.merge_asof(rates.sort_values("year"), pop_up.sort_values("year"), on="year",
                          by="ancestor_id", direction="backward")
    pops = np.where(rates.indicator_id.map(rate_ids) == "households", rates.households,
                    rates.inhabitants).astype(float)
    rates["den"] = np.where(pops > 0, pops, np.nan)
    rates["value"] = rates.num * RATE_FACTOR / rates.den
    additive = pd.concat([rolled[~is_rate], rates[rolled.columns]], ignore_index=True)

    # medians over the fact rows themselves
    facts = []
    for ind, (kind, *_rest) in MEDIANS.items():
        f = frames[kind]
        rows_ = f[_PANDAS_CONDITIONS[ind](f)]
        x = rows_.minutes if kind == "incidents" else rows_.days
        facts.append(pd.DataFrame({"indicator_id": ind, "kind": kind,
                                   "area_id": rows_.area_id, "month": rows_.month, "x": x}))
    med = to_periods(pd.concat(facts, ignore_index=True)).groupby(keys, as_index=False).agg(
        n=("x", "size"), value=("x", "median"))
    med["num"], med["den"] = np.nan, np.nan
    med["n"] = med.n.astype(float)

    out = pd.concat([additive, med[additive.columns]], ignore_index=True)
    return out.rename(columns={"ancestor_id": "area_id", "num": "numerator",
                               "den": "denominator"})


# --------------------------------------------------------------------------------------------
# The variants in their own processes


def subset_areas(con, every: int) -> list[str]:
    """The areas under every ``every``-th municipality (``gemeente``, by area id): the
    deterministic subset pandas runs on at national scale."""
    rows = con.execute("""
        WITH RECURSIVE edges AS (
          SELECT area_id, parent_id FROM area_link
          UNION SELECT area_id, parent_id FROM area WHERE parent_id IS NOT NULL),
        up(area_id, ancestor_id) AS (
          SELECT area_id, area_id FROM area
          UNION SELECT up.area_id, edges.parent_id FROM up
          JOIN edges ON edges.area_id = up.ancestor_id),
        chosen AS (
          SELECT area_id FROM (
            SELECT area_id, row_number() OVER (ORDER BY area_id) - 1 AS i
            FROM area WHERE level = 'gemeente')
          WHERE i % ? = 0)
        SELECT DISTINCT up.area_id FROM up JOIN chosen ON chosen.area_id = up.ancestor_id
        ORDER BY 1""", [every]).fetchall()
    return [r[0] for r in rows]


def fact_rows(con, subset: list[str] | None = None) -> int:
    """Rows of the fact tables the indicators read (incidents, nuisance reports, activities,
    survey answers), all or of the subset's areas."""
    import pyarrow as pa

    if subset is not None:
        con.register("bench_subset", pa.table({"area_id": pa.array(subset, pa.string())}))
    where = " WHERE area_id IN (SELECT area_id FROM bench_subset)" if subset is not None else ""
    total = 0
    for sql in ("SELECT count(*) FROM incident", "SELECT count(*) FROM nuisance",
                "SELECT count(*) FROM activity",
                "SELECT count(*) FROM survey_answer a JOIN survey_response r "
                "ON a.source = r.source AND a.source_id = r.source_id"):
        w = where.replace("area_id", "r.area_id", 1) if "survey" in sql else where
        total += con.execute(sql + w).fetchall()[0][0]
    if subset is not None:
        con.unregister("bench_subset")
    return total


def run_variant_here(variant: str, db: Path, out: Path | None, every: int,
                     memory_limit: str | None = None) -> None:
    """Run one variant in this process (timed) and print its measurement as one JSON line;
    with ``out``, also write its values (normalised) to that Parquet file, after the clock.
    ``memory_limit`` is set on the warehouse connection (DuckDB's own default otherwise)."""
    import duckdb
    import pandas  # noqa: F401  (imported by every variant's libraries; not timed)
    import pyarrow as pa
    import pyarrow.compute as pc

    from core.warehouse import Warehouse
    from indicators.catalog import load_catalog
    from indicators.compute import compute_values

    con = Warehouse(db).connect_read_only()
    if memory_limit:
        con.execute(f"SET memory_limit = {lit(memory_limit)}")
    subset = subset_areas(con, every) if every > 1 else None
    facts = fact_rows(con, subset)
    catalog = load_catalog()
    con.execute("SELECT 1").fetchall()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    if variant == "ivmonitor":
        # what a refresh does with the values: written (sorted) into a table, here a temp
        # table with the columns of indicator_value, as the warehouse is open read only
        compute_values(con, catalog, AS_OF, only=covered(), table="ivm_values")
        table = None
    elif variant == "duckdb":
        table = duckdb_values(con, AS_OF, subset)
    else:
        table = pandas_values(con, AS_OF, subset, timings)
    seconds = time.perf_counter() - t0
    if table is None:
        table = con.sql("SELECT * FROM ivm_values").to_arrow_table()
    if isinstance(table, pa.Table):
        n_values = table.num_rows
        n_inds = len(pc.unique(table.column("indicator_id")))
    else:
        n_values = len(table)
        n_inds = int(table.indicator_id.nunique())
    detail = f"read into DataFrames {timings['read']:.2f} s of it" if "read" in timings else ""
    if out is not None:
        if not isinstance(table, pa.Table):
            table = pa.Table.from_pandas(table, preserve_index=False)
        tmp = duckdb.connect()
        tmp.register("t", table)
        tmp.execute(
            "COPY (SELECT indicator_id, area_id, area_level, period_type, period, "
            "CAST(complete AS BOOLEAN) AS complete, "
            "CAST(n AS DOUBLE) AS n, CAST(numerator AS DOUBLE) AS numerator, "
            "CAST(denominator AS DOUBLE) AS denominator, CAST(value AS DOUBLE) AS value "
            f"FROM t) TO '{out}' (FORMAT parquet)"
        )
        tmp.close()
    con.close()
    print(json.dumps({"seconds": seconds, "values": n_values, "indicators": n_inds,
                      "facts": facts, "detail": detail}), flush=True)


@dataclass
class Run:
    """One measured run of a variant."""

    seconds: float
    values: int
    indicators: int
    facts: int
    max_rss_mb: float
    detail: str


def run_in_child(variant: str, db: Path, out: Path | None = None, every: int = 1,
                 memory_limit: str | None = None) -> Run:
    """Run a variant in a fresh subprocess; its time, output size and peak resident memory."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    cmd = [sys.executable, "-m", "bench", "_indicators_variant", variant, str(db),
           "--every", str(every)]
    if out is not None:
        cmd += ["--out", str(out)]
    if memory_limit:
        cmd += ["--memory-limit", memory_limit]
    with tempfile.TemporaryFile() as so, tempfile.TemporaryFile() as se:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=so, stderr=se)
        _, status, usage = os.wait4(proc.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        so.seek(0)
        se.seek(0)
        if code != 0:
            raise RuntimeError(f"variant {variant} failed ({code}):\n"
                               f"{se.read().decode()[-4000:]}")
        r = json.loads(so.read().decode().strip().splitlines()[-1])
    return Run(r["seconds"], r["values"], r["indicators"], r["facts"], usage.ru_maxrss / 1024,
               r["detail"])


# --------------------------------------------------------------------------------------------
# The agreement check


class Disagreement(Exception):
    """Two variants give different numbers."""


def compare(a: Path, b: Path, name_a: str, name_b: str) -> int:
    """Compare two result files key by key; the number of values; Disagreement if they differ."""
    import duckdb

    con = duckdb.connect()
    keys = ["indicator_id", "area_id", "period_type", "period"]
    on = " AND ".join(f"a.{k} = b.{k}" for k in keys)

    def same(c: str) -> str:
        x = f"(CASE WHEN isnan(a.{c}) THEN NULL ELSE a.{c} END)"
        y = f"(CASE WHEN isnan(b.{c}) THEN NULL ELSE b.{c} END)"
        return (f"(({x} IS NULL AND {y} IS NULL) OR ({x} IS NOT NULL AND {y} IS NOT NULL AND "
                f"abs({x} - {y}) <= {RTOL!r} * greatest(abs({x}), abs({y}))))")

    cols = ["n", "numerator", "denominator", "value"]
    problems = []
    for name, path in ((name_a, a), (name_b, b)):
        total, distinct = con.execute(
            f"SELECT count(*), count(DISTINCT ({', '.join(keys)})) FROM '{path}'").fetchall()[0]
        if total != distinct:
            problems.append(f"{name} repeats {total - distinct:,} keys")
    checks = ", ".join(
        ["count(*) FILTER (WHERE b.indicator_id IS NULL) AS only_a",
         "count(*) FILTER (WHERE a.indicator_id IS NULL) AS only_b"]
        + [f"count(*) FILTER (WHERE a.indicator_id IS NOT NULL AND b.indicator_id IS NOT NULL "
           f"AND NOT {same(c)}) AS {c}" for c in cols]
        + ["count(*) FILTER (WHERE a.indicator_id IS NOT NULL AND b.indicator_id IS NOT NULL "
           "AND a.complete IS DISTINCT FROM b.complete) AS complete",
           "count(*) FILTER (WHERE a.indicator_id IS NOT NULL AND b.indicator_id IS NOT NULL "
           "AND a.area_level IS DISTINCT FROM b.area_level) AS area_level",
           "count(*) AS total"]
    )
    sql = f"SELECT {checks} FROM '{a}' a FULL OUTER JOIN '{b}' b ON {on}"
    cur = con.execute(sql)
    res = dict(zip([d[0] for d in cur.description], cur.fetchall()[0], strict=True))
    if res["only_a"]:
        problems.append(f"{res['only_a']:,} keys only in {name_a}")
    if res["only_b"]:
        problems.append(f"{res['only_b']:,} keys only in {name_b}")
    for c in [*cols, "complete", "area_level"]:
        if res[c]:
            problems.append(f"{res[c]:,} values differ in {c}")
    if problems:
        examples = con.execute(
            "SELECT coalesce(a.indicator_id, b.indicator_id) AS indicator_id, "
            "coalesce(a.area_id, b.area_id) AS area_id, "
            "coalesce(a.period_type, b.period_type) AS period_type, "
            "coalesce(a.period, b.period) AS period, "
            + ", ".join(f"a.{c} AS a_{c}, b.{c} AS b_{c}" for c in cols)
            + f" FROM '{a}' a FULL OUTER JOIN '{b}' b ON {on} WHERE a.indicator_id IS NULL "
            f"OR b.indicator_id IS NULL OR NOT ("
            + " AND ".join(same(c) for c in cols) + ") ORDER BY 1, 2, 3, 4 LIMIT 8"
        ).fetchall()
        per_ind = con.execute(
            f"SELECT coalesce(a.indicator_id, b.indicator_id) AS i, count(*) FROM '{a}' a "
            f"FULL OUTER JOIN '{b}' b ON {on} WHERE a.indicator_id IS NULL "
            f"OR b.indicator_id IS NULL OR NOT (" + " AND ".join(same(c) for c in cols)
            + ") GROUP BY 1 ORDER BY 2 DESC LIMIT 10"
        ).fetchall()
        raise Disagreement(
            f"{name_a} and {name_b} disagree: " + "; ".join(problems)
            + "\n  by indicator: " + ", ".join(f"{i} {n:,}" for i, n in per_ind)
            + "\n  examples (key, then " + ", ".join(f"{name_a}/{name_b} {c}" for c in cols)
            + "):\n" + "\n".join(f"    {e}" for e in examples)
        )
    con.close()
    return int(res["total"])


# --------------------------------------------------------------------------------------------
# The run


@dataclass
class Outcome:
    """All timed runs of one variant, and how its figures were obtained."""

    variant: str
    runs: list[Run] = field(default_factory=list)
    #: When measured on a subset: the fact rows of the whole warehouse it is extrapolated to.
    extrapolated_to: int | None = None
    every: int = 1

    @property
    def scale(self) -> float:
        """Factor from the measured fact rows to the reported ones."""
        return self.extrapolated_to / self.runs[0].facts if self.extrapolated_to else 1.0

    @property
    def seconds(self) -> float:
        """Median seconds (extrapolated to the whole warehouse when run on a subset)."""
        return statistics.median(r.seconds for r in self.runs) * self.scale

    def cells(self) -> list[str]:
        """The table row."""
        lo = min(r.seconds for r in self.runs) * self.scale
        hi = max(r.seconds for r in self.runs) * self.scale
        r0 = self.runs[0]
        note = r0.detail
        if self.extrapolated_to:
            note = (f"extrapolated from every {self.every}th municipality "
                    f"({r0.facts:,} fact rows, {r0.values:,} values; RSS is the subset's)"
                    + (f"; {note}" if note else ""))
        facts = self.extrapolated_to or r0.facts
        return [
            LABELS[self.variant],
            str(r0.indicators),
            f"{facts:,}",
            f"{r0.values:,}" if not self.extrapolated_to else "-",
            f"{self.seconds:.2f} ({lo:.2f}-{hi:.2f})",
            f"{max(r.max_rss_mb for r in self.runs):,.0f}",
            note,
        ]


_COLUMNS = ["variant", "indicators", "fact rows", "values", "seconds median (min-max)",
            "peak RSS MB", "note"]


def verdicts(outcomes: list[Outcome]) -> list[str]:
    """The two target lines."""
    by = {o.variant: o for o in outcomes}
    r1 = by["ivmonitor"].seconds / by["duckdb"].seconds
    r2 = by["pandas"].seconds / by["ivmonitor"].seconds
    ex = " (pandas extrapolated)" if by["pandas"].extrapolated_to else ""
    return [
        f"ivmonitor / DuckDB hand-written = {r1:.2f} x (target <= {TARGET_DUCKDB:g} x): "
        + ("met" if r1 <= TARGET_DUCKDB else "NOT met"),
        f"pandas / ivmonitor = {r2:.1f} x (target >= {TARGET_PANDAS:g} x): "
        + ("met" if r2 >= TARGET_PANDAS else "NOT met") + ex,
    ]


def warehouse_facts(db: Path) -> tuple[str, str]:
    """A one-line description of the warehouse the benchmark ran on, and its scale (national
    when it holds more than one municipality, else city)."""
    from core.warehouse import Warehouse

    con = Warehouse(db).connect_read_only()
    try:
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
                  for t in ("incident", "nuisance", "activity", "survey_answer", "population")}
        levels = con.execute("SELECT level, count(*) FROM area GROUP BY level "
                             "ORDER BY 2").fetchall()
    finally:
        con.close()
    municipalities = dict(levels).get("gemeente", 0)
    described = (f"{counts['incident']:,} incidents, {counts['nuisance']:,} nuisance reports, "
                 f"{counts['activity']:,} activities, {counts['survey_answer']:,} survey "
                 f"answers, {counts['population']:,} population rows; areas: "
                 + ", ".join(f"{n:,} {lvl}" for lvl, n in levels))
    return described, "national" if municipalities > 1 else "city"


def ensure_demo(scale: str, folder: Path) -> Path:
    """The demo warehouse of ``scale`` in ``folder``, generated and loaded unless it is there."""
    from core.warehouse import Warehouse
    from ivm.demo import run_demo

    wh = Warehouse(folder / "demo.duckdb")
    t0 = time.perf_counter()
    run_demo(wh, folder / "demo_src", SEED, AS_OF, False, False,
             lambda line: print(f"  demo: {line}", flush=True), scale)
    print(f"demo warehouse ready in {time.perf_counter() - t0:.1f} s: {wh.path}", flush=True)
    return wh.path


def run_benchmark(
    *,
    scale: str,
    db: Path | None,
    repeat: int,
    workdir: Path | None,
    keep: bool,
    results: Path | None,
    every: int | None,
    memory_limit: str | None = None,
) -> list[Outcome]:
    """Get the warehouse, check the three variants agree, time them, print and record."""
    made_temp = workdir is None
    folder = Path(tempfile.mkdtemp(prefix="ivm-bench-ind-")) if made_temp else Path(workdir)
    folder.mkdir(parents=True, exist_ok=True)
    facts = machine_facts()
    started = time.perf_counter()
    print(f"nproc {facts['nproc']} ({facts['cpu']}), memory {facts['memory']}, {facts['os']}, "
          f"Python {facts['python']}, {facts['versions']}; {facts['load']}", flush=True)
    limit = (f"DuckDB memory_limit {memory_limit} on the warehouse connection of every variant"
             if memory_limit else "DuckDB's default memory_limit (80% of RAM)")
    print(limit, flush=True)
    try:
        if db is None:
            db = ensure_demo(scale, folder)
            source = f"demo warehouse, {scale} scale (seed {SEED}, as of {AS_OF:%d/%m/%Y})"
        else:
            db = db.resolve()
            source = f"existing warehouse {db.name} (read only)"
        wh_note, scale = warehouse_facts(db)
        print(f"warehouse: {db}: {wh_note}", flush=True)
        outcomes, agreement = _measure(db, folder, repeat, every, memory_limit)
    finally:
        if made_temp and not keep:
            shutil.rmtree(folder, ignore_errors=True)
    table = [_COLUMNS, *[o.cells() for o in outcomes]]
    lines = verdicts(outcomes)
    print()
    print(format_text(table))
    print()
    print(agreement)
    for line in lines:
        print(line)
    wall = time.perf_counter() - started
    print(f"whole run (warehouse, check round, timed runs): {wall / 60:.1f} min")
    if results is not None:
        _append_results(results, scale, repeat,
                        facts, source, wh_note, table, agreement, lines,
                        f"{limit}; whole run (warehouse, check round, timed runs) "
                        f"{wall / 60:.1f} min")
        print(f"appended to {results}")
    return outcomes


def _measure(db: Path, folder: Path, repeat: int, every: int | None,
             memory_limit: str | None) -> tuple[list[Outcome], str]:
    from core.warehouse import Warehouse

    con = Warehouse(db).connect_read_only()
    total = fact_rows(con)
    if every is None:
        every = max(1, math.ceil(total / PANDAS_MAX_FACTS))
    con.close()
    outcomes = [Outcome(v) for v in VARIANTS]
    if every > 1:
        outcomes[2].extrapolated_to = total
        outcomes[2].every = every
    ids = covered()
    print(f"indicators: {len(ids)} covered by all three variants (those whose source has data "
          f"give values); closure, period map and coverage are built inside every variant's "
          f"timed region", flush=True)

    # the check round: every variant once, results compared before any timing
    print("check round (not timed):", flush=True)
    files = {}
    for name in ("ivmonitor", "duckdb", "pandas"):
        files[name] = folder / f"check_{name}.parquet"
        run = run_in_child(name, db, files[name], every if name == "pandas" else 1,
                           memory_limit)
        print(f"  {LABELS[name]}: {run.values:,} values in {run.seconds:.2f} s", flush=True)
    t0 = time.perf_counter()
    n_all = compare(files["ivmonitor"], files["duckdb"], "ivmonitor", "DuckDB hand-written")
    print(f"  compared in {time.perf_counter() - t0:.1f} s", flush=True)
    if every > 1:
        files["duckdb_subset"] = folder / "check_duckdb_subset.parquet"
        run = run_in_child("duckdb", db, files["duckdb_subset"], every, memory_limit)
        n_sub = compare(files["pandas"], files["duckdb_subset"], "pandas",
                        "DuckDB hand-written (subset)")
        agreement = (f"{AGREEMENT}ivmonitor = DuckDB hand-written on all {n_all:,} values; "
                     f"pandas = DuckDB hand-written on the {n_sub:,} values of every {every}th "
                     f"municipality (same keys; n, numerator, denominator, value within "
                     f"{RTOL:g} relative, NULL = NULL)")
    else:
        n_pd = compare(files["pandas"], files["duckdb"], "pandas", "DuckDB hand-written")
        assert n_pd == n_all
        agreement = (f"{AGREEMENT}ivmonitor, DuckDB hand-written and pandas give the same "
                     f"{n_all:,} values (same keys; n, numerator, denominator, value within "
                     f"{RTOL:g} relative, NULL = NULL)")
    for p in files.values():
        p.unlink(missing_ok=True)
    print(agreement, flush=True)

    for i in range(repeat):
        for o in outcomes:
            run = run_in_child(o.variant, db, None, o.every, memory_limit)
            o.runs.append(run)
            print(f"  run {i + 1}/{repeat} {LABELS[o.variant]}: {run.values:,} values in "
                  f"{run.seconds:.2f} s, peak RSS {run.max_rss_mb:,.0f} MB"
                  + (f" ({run.detail})" if run.detail else ""), flush=True)
    return outcomes, agreement


def _append_results(
    path: Path,
    scale: str,
    repeat: int,
    facts: dict[str, str],
    source: str,
    wh_note: str,
    table: list[list[str]],
    agreement: str,
    lines: list[str],
    run_note: str,
) -> None:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    kinds = "; ".join(f"{k}: {', '.join(v)}" for k, v in measure_kinds().items())
    out = [
        "",
        f"## {when}: indicators, {scale} scale, {repeat} repeat(s)",
        "",
        f"- commit: {git_commit()}",
        f"- machine: nproc {facts['nproc']} ({facts['cpu']}), memory {facts['memory']}, "
        f"{facts['os']}, Python {facts['python']}, {facts['versions']}; {facts['load']}",
        f"- warehouse: {source}: {wh_note}",
        f"- indicators: all three variants compute the same {len(covered())} indicators x every "
        f"area level x every period ({kinds}); those whose source has no data in the warehouse "
        f"give no values (the table's indicators column counts those that do); area closure, "
        f"period map and coverage are built inside each variant's timed region",
        f"- {run_note}",
        f"- {agreement}",
        "",
        format_markdown(table),
        "",
        *[f"**{line}**  " for line in lines],
        "",
    ]
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("\n".join(out))
