"""Boundaries in time: which area lies in which at a given moment.

``area_link`` holds today's links, each valid from its ``valid_from`` (NULL: always);
``area_link_history`` the links a later layer version ended, with their last day. The closure
pairs every area with itself and each ancestor over the span in which the chain of links holds
(``valid_from`` to ``valid_to``, both ends included, open ends as far dates), so a fact of a past
month is counted in the areas of that month. A version starts on the first day of a month (the
loader checks it), so whole months never straddle two versions.

With ``boundaries`` a date, every span is that date's: the closure of the links that held on
that day, for all time (a recast onto today's boundaries, or the boundaries an objective was set
on).
"""

from __future__ import annotations

import datetime as dt

#: The open ends of a span, as dates SQL can compare.
EARLIEST, LATEST = dt.date(1, 1, 1), dt.date(9999, 12, 31)


def edges_sql(boundaries: dt.date | None = None) -> str:
    """SELECT of (area_id, parent_id, valid_from, valid_to): every link with its span, the
    parents of ``area.parent_id`` that no link names as always valid."""
    lo, hi = f"DATE '{EARLIEST.isoformat()}'", f"DATE '{LATEST.isoformat()}'"
    links = (
        f"SELECT area_id, parent_id, coalesce(valid_from, {lo}) AS valid_from, {hi} AS valid_to "
        f"FROM area_link "
        f"UNION ALL SELECT area_id, parent_id, coalesce(valid_from, {lo}), valid_to "
        f"FROM area_link_history "
        f"UNION ALL SELECT area_id, parent_id, {lo}, {hi} FROM area a WHERE parent_id IS NOT NULL "
        f"AND NOT EXISTS (SELECT 1 FROM area_link l WHERE l.area_id = a.area_id "
        f"AND l.parent_id = a.parent_id)")
    if boundaries is None:
        return links
    day = f"DATE '{boundaries.isoformat()}'"
    return (f"SELECT area_id, parent_id, {lo} AS valid_from, {hi} AS valid_to FROM ({links}) "
            f"WHERE {day} BETWEEN valid_from AND valid_to")


def closure_sql(boundaries: dt.date | None = None) -> str:
    """SELECT of (area_id, ancestor_id, valid_from, valid_to): each area with itself and every
    ancestor, over the spans in which a chain of links holds (disjoint: merged where two
    chains overlap)."""
    lo, hi = f"DATE '{EARLIEST.isoformat()}'", f"DATE '{LATEST.isoformat()}'"
    return (
        f"WITH RECURSIVE edges AS ({edges_sql(boundaries)}), "
        f"up(area_id, ancestor_id, valid_from, valid_to) AS ("
        f"  SELECT area_id, area_id, {lo}, {hi} FROM area "
        f"  UNION SELECT up.area_id, e.parent_id, greatest(up.valid_from, e.valid_from), "
        f"  least(up.valid_to, e.valid_to) FROM up JOIN edges e ON e.area_id = up.ancestor_id "
        f"  WHERE greatest(up.valid_from, e.valid_from) <= least(up.valid_to, e.valid_to)), "
        # two paths to one ancestor (a sector's own link to its municipality, and through its
        # wijk) give overlapping spans: merge them, so that a month matches one row
        f"s AS (SELECT *, max(valid_to) OVER (PARTITION BY area_id, ancestor_id ORDER BY "
        f"  valid_from, valid_to ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before "
        f"  FROM up), "
        f"g AS (SELECT *, sum(CASE WHEN before IS NULL OR valid_from > before + INTERVAL 1 DAY "
        f"  THEN 1 ELSE 0 END) OVER (PARTITION BY area_id, ancestor_id ORDER BY valid_from, "
        f"  valid_to) AS island FROM s) "
        f"SELECT area_id, ancestor_id, min(valid_from) AS valid_from, max(valid_to) AS valid_to "
        f"FROM g GROUP BY area_id, ancestor_id, island")


def has_history(con) -> bool:
    """Whether any link was ever ended or started later than always (boundaries changed)."""
    return bool(con.execute(
        "SELECT (SELECT count(*) FROM area_link_history) + (SELECT count(*) FROM area_link "
        "WHERE valid_from IS NOT NULL)").fetchall()[0][0])


def changed_parents(con) -> set[str]:
    """The areas whose make-up changed over time: the parents of every ended link and of every
    link that started later than always (``area_link`` holds every ancestor of an area, so an
    area that moved changes each ancestor it left or joined, and only those)."""
    return {p for (p,) in con.execute(
        "SELECT parent_id FROM area_link_history UNION "
        "SELECT parent_id FROM area_link WHERE valid_from IS NOT NULL").fetchall()}
