"""Compile an indicator declaration to SQL with SQLAlchemy Core.

Each indicator becomes one SELECT over its source that keeps the rows the declaration names
(filters, the days of an event's editions that were held, the rows the measure counts, nothing
after the as-of date) and aggregates them per finest area and month. Values come in through
SQLAlchemy's literal rendering of validated declarations, never by pasting text; ``ivm
indicators show ID --sql`` prints it and ``tests/snapshots/sql/`` pins it per catalogue
indicator.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb_engine
import sqlalchemy as sa

from core.warehouse import schema
from indicators.catalog import Exclude, Indicator
from indicators.measures import Rows
from indicators.sources import SOURCES, Source

_UNIT_SECONDS = {"minutes": 60.0, "hours": 3600.0, "days": 86400.0}
_DIALECT = duckdb_engine.Dialect()


def _date(value: dt.date) -> sa.ColumnElement:
    return sa.cast(sa.literal(value.isoformat()), sa.Date)


def _condition(source: Source, column: str, spec: list | Exclude) -> sa.ColumnElement:
    col = source.column(column)
    if isinstance(spec, Exclude):
        return sa.or_(col.is_(None), col.not_in(spec.not_))
    return col.in_(spec)


def _rows(
    ind: Indicator, source: Source, shared: bool = False,
) -> tuple[Rows, sa.FromClause, list[sa.ColumnElement]]:
    """The measure's view of the source's rows, the FROM clause and the row conditions.

    With ``shared``, a survey question is a row condition rather than part of the join, so
    indicators on different questions can read one join of responses and answers.
    """
    conds: list[sa.ColumnElement] = [
        _condition(source, col, spec) for col, spec in ind.filters.items()
    ]
    table: sa.FromClause = source.table
    weight: sa.ColumnElement = sa.literal(1.0, sa.Double)
    answer = answer_number = duration = where = None
    if source.survey:
        weight = source.column("weight")
        if ind.question is not None:
            a = schema.survey_answer
            on = [a.c.source == source.table.c.source, a.c.source_id == source.table.c.source_id]
            if shared:
                conds.append(a.c.question_id == ind.question)
            else:
                on.append(a.c.question_id == ind.question)
            table = table.join(a, sa.and_(*on))
            answer = a.c.answer
            conds += [answer.is_not(None), answer != ""]
            if ind.answered:
                conds.append(answer.in_(ind.answered))
            answer_number = sa.try_cast(answer, sa.Double)
            if ind.measure in ("mean", "median", "percentile"):
                conds.append(answer_number.is_not(None))
    if ind.duration is not None:
        start = source.column(ind.duration.from_)
        end = source.column(ind.duration.to)
        duration = (sa.func.epoch(end) - sa.func.epoch(start)) / _UNIT_SECONDS[ind.duration.unit]
        conds += [start.is_not(None), end.is_not(None), end >= start]
    if ind.where is not None:
        where = sa.and_(*(_condition(source, c, v) for c, v in ind.where.items()))
    return Rows(source, weight, answer, answer_number, duration, where), table, conds


def held_days(event: str) -> sa.Select:
    """Every day of the editions of ``event`` that were held (the warehouse's
    ``event_edition``; a cancelled edition has no days)."""
    e = schema.event_edition
    days = sa.func.generate_series(sa.cast(e.c.first_day, sa.DateTime),
                                   sa.cast(e.c.last_day, sa.DateTime), sa.text("INTERVAL 1 DAY"))
    return sa.select(sa.cast(sa.func.unnest(days), sa.Date)).where(
        e.c.event_id == event, e.c.cancelled.is_(False))


def _day_conditions(ind: Indicator, source: Source, as_of: dt.date) -> list[sa.ColumnElement]:
    """Nothing after the as-of date and, for an event indicator, only the days of its
    editions that were held."""
    day = source.day()
    conds = [day <= _date(as_of)]
    if ind.event is not None:
        conds.append(sa.cast(day, sa.Date).in_(held_days(ind.event)))
    return conds


def monthly_select(ind: Indicator, as_of: dt.date) -> sa.Select:
    """The indicator's rows up to ``as_of``, aggregated per finest area and month.

    Additive measures give the sums ``n, num, den, sw2, sx2``; median and percentile give one
    row per fact with its value ``x`` (they are aggregated per period afterwards).
    """
    source = SOURCES[ind.source]
    rows, table, conds = _rows(ind, source)
    day = source.day()
    conds += _day_conditions(ind, source, as_of)
    month = sa.func.date_trunc("month", day)
    area = source.table.c.area_id
    built = ind.kind.build(ind, rows)
    head = [
        sa.literal(ind.id).label("indicator_id"),
        sa.literal(ind.source).label("kind"),
        area.label("area_id"),
        sa.cast(month, sa.Date).label("month"),
    ]
    if not ind.kind.additive:
        return sa.select(*head, sa.cast(built["x"], sa.Double).label("x")).select_from(
            table).where(*conds)
    aggs = [sa.cast(built[k], sa.Double).label(k) for k in ("n", "num", "den", "sw2", "sx2")]
    return (
        sa.select(*head, *aggs)
        .select_from(table)
        .where(*conds)
        .group_by(area, month)
    )


def daily_select(ind: Indicator, first: dt.date, last: dt.date) -> sa.Select:
    """The facts a counting indicator keeps per finest area and day from ``first`` to
    ``last``, on every day (its event restriction left out: what an event is compared with)."""
    source = SOURCES[ind.source]
    rows, table, conds = _rows(ind, source)
    day = sa.cast(source.day(), sa.Date)
    built = ind.kind.build(ind, rows)
    area = source.table.c.area_id
    return (
        sa.select(area.label("area_id"), day.label("day"),
                  sa.cast(built["num"], sa.Double).label("num"))
        .select_from(table)
        .where(*conds, day >= _date(first), day <= _date(last))
        .group_by(area, day)
    )


SUMS = ("n", "num", "den", "sw2", "sx2")


@dataclass
class SharedScan:
    """One scan of a source for several additive indicators, per finest area and month.

    Every sum of every indicator is one ``FILTER (WHERE ...)`` aggregate of the scan, holding
    exactly the rows that indicator's own SELECT (:func:`monthly_select`) keeps; identical
    aggregates (a count and the rate of the same rows) are one column. ``columns`` gives per
    indicator id the column of each sum (None for a sum the measure leaves NULL) and of
    ``rows``, the number of rows the indicator keeps (a combination exists when it is > 0).
    """

    source: str
    sql: str
    columns: dict[str, dict[str, str | None]]


def shareable(ind: Indicator) -> bool:
    """Whether the indicator's sums can be FILTER aggregates of a shared scan: every sum its
    measure builds is one aggregate function or NULL."""
    if not ind.kind.additive:
        return False
    rows, _table, _conds = _rows(ind, SOURCES[ind.source], shared=True)
    built = ind.kind.build(ind, rows)
    return all(isinstance(built[k], sa.sql.functions.FunctionElement | sa.sql.elements.Null)
               for k in SUMS)


def shared_scan(inds: list[Indicator], as_of: dt.date) -> SharedScan:
    """The shared scan of ``inds`` (additive and :func:`shareable`, all on one source and all
    with or all without a survey question)."""
    source = SOURCES[inds[0].source]
    day = source.day()
    found: dict[tuple[str, str], str] = {}
    aggs: list[str] = []
    columns: dict[str, dict[str, str | None]] = {}
    table: sa.FromClause = source.table
    questions: list[str] = []
    for ind in inds:
        rows, table, conds = _rows(ind, source, shared=True)
        cond = to_sql(sa.and_(*conds, *_day_conditions(ind, source, as_of)))
        built = ind.kind.build(ind, rows)
        texts: dict[int, str] = {}  # a measure may use one aggregate for several sums
        cols: dict[str, str | None] = {}
        for key in ("rows", *SUMS):
            fn = sa.func.count() if key == "rows" else built[key]
            if isinstance(fn, sa.sql.elements.Null):
                cols[key] = None
                continue
            if id(fn) not in texts:
                texts[id(fn)] = to_sql(fn)
            agg = (texts[id(fn)], cond)
            if agg not in found:
                found[agg] = f"s{len(found)}"
                aggs.append(f"CAST({agg[0]} FILTER (WHERE {cond}) AS DOUBLE) AS {found[agg]}")
            cols[key] = found[agg]
        columns[ind.id] = cols
        if ind.question is not None:
            questions.append(ind.question)
    where = [day <= _date(as_of)]
    if questions:
        where.append(schema.survey_answer.c.question_id.in_(sorted(set(questions))))
    month = sa.func.date_trunc("month", day)
    area = source.table.c.area_id
    frame = (
        sa.select(area.label("area_id"), sa.cast(month, sa.Date).label("month"),
                  sa.literal_column(_AGGREGATES))
        .select_from(table)
        .where(*where)
        .group_by(area, month)
    )
    return SharedScan(inds[0].source, to_sql(frame).replace(_AGGREGATES, ", ".join(aggs), 1),
                      columns)


#: Where the scan's aggregates go in its compiled frame (each compiled on its own, so that equal
#: aggregates of different indicators are found by their SQL and computed once).
_AGGREGATES = "ivm_aggregates_here"


def to_sql(statement: sa.ClauseElement) -> str:
    """The statement (or expression) as DuckDB SQL with its (validated) values rendered as
    literals."""
    return str(statement.compile(dialect=_DIALECT, compile_kwargs={"literal_binds": True}))
