"""Compile an indicator declaration to SQL with SQLAlchemy Core.

Each indicator becomes one SELECT over its source that keeps the rows the declaration names
(filters, event days, the rows the measure counts, nothing after the as-of date) and aggregates
them per finest area and month. Values come in through SQLAlchemy's literal rendering of
validated declarations, never by pasting text; ``ivm indicators show ID --sql`` prints it and
``tests/snapshots/sql/`` pins it per catalogue indicator.
"""

from __future__ import annotations

import datetime as dt

import duckdb_engine
import sqlalchemy as sa

from etl.warehouse import schema
from indicators.catalog import Exclude, Indicator
from indicators.events import event_days
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


def _rows(ind: Indicator, source: Source) -> tuple[Rows, sa.FromClause, list[sa.ColumnElement]]:
    """The measure's view of the source's rows, the FROM clause and the row conditions."""
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
            table = table.join(
                a,
                sa.and_(a.c.source == source.table.c.source,
                        a.c.source_id == source.table.c.source_id,
                        a.c.question_id == ind.question),
            )
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


def monthly_select(ind: Indicator, as_of: dt.date, first_year: int) -> sa.Select:
    """The indicator's rows up to ``as_of``, aggregated per finest area and month.

    Additive measures give the sums ``n, num, den, sw2, sx2``; median and percentile give one
    row per fact with its value ``x`` (they are aggregated per period afterwards).
    """
    source = SOURCES[ind.source]
    rows, table, conds = _rows(ind, source)
    day = source.day()
    conds.append(day <= _date(as_of))
    if ind.event is not None:
        days = [d.isoformat() for d in event_days(ind.event, first_year, as_of.year)]
        conds.append(sa.cast(day, sa.String).in_(days))
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


def to_sql(statement: sa.Select) -> str:
    """The statement as DuckDB SQL with its (validated) values rendered as literals."""
    return str(statement.compile(dialect=_DIALECT, compile_kwargs={"literal_binds": True}))
