"""The record of public releases kept with the warehouse (schema version 12): per release the
data version it shows, its as-of date and what the public suppression decided (a JSON payload
written and read by :mod:`dashboard.export.suppress`), so the next release is decided knowing
the one before. Only the latest :data:`KEEP` are kept."""

from __future__ import annotations

import datetime as dt

import duckdb

#: How many releases are kept.
KEEP = 24


def latest_release(con: duckdb.DuckDBPyConnection, before: str | None = None) -> str | None:
    """The payload of the release recorded last before the release of data version ``before``
    (when that one is recorded), else of the release recorded last; None when there is none."""
    if before is not None:
        row = con.execute("SELECT min(release_id) FROM public_release WHERE label = ?",
                          [before]).fetchall()
        if row[0][0] is not None:
            got = con.execute("SELECT payload FROM public_release WHERE release_id < ? "
                              "ORDER BY release_id DESC LIMIT 1", [row[0][0]]).fetchall()
            return got[0][0] if got else None
    got = con.execute("SELECT payload FROM public_release ORDER BY release_id DESC LIMIT 1"
                      ).fetchall()
    return got[0][0] if got else None


def record_release(con: duckdb.DuckDBPyConnection, label: str, as_of: dt.date,
                   payload: str) -> None:
    """Record a release (inside a write); a data version recorded already keeps its first."""
    if con.execute("SELECT count(*) FROM public_release WHERE label = ?",
                   [label]).fetchall()[0][0]:
        return
    con.execute("INSERT INTO public_release SELECT coalesce(max(release_id), 0) + 1, ?, ?, "
                "now()::TIMESTAMP, ? FROM public_release", [label, as_of, payload])
    con.execute("DELETE FROM public_release WHERE release_id <= (SELECT max(release_id) - ? "
                "FROM public_release)", [KEEP])


__all__ = ["KEEP", "latest_release", "record_release"]
