"""The application store as a portable file: every table's rows as JSON lines, the same on
SQLite and PostgreSQL, so a backup of one restores into the other (``ivm backup``,
``ivm restore``).

The file starts with one line naming the schema version and the tables; then one line per row,
``{"t": table, "r": {column: value}}`` (bytes, such as a stored file, as ``{"b64": ...}``), read
and written a batch at a time (memory stays bounded whatever the audit log's size). A dump
reads every table in one transaction (a consistent moment on PostgreSQL; SQLite's WAL readers
see one moment too). A restore goes into an empty store of the same schema version, in one
transaction: all of it or nothing.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.schema import Table

from access.app_schema import APP_SCHEMA_VERSION, current_version
from core.errors import IvmError, Where

FORMAT = "ivmonitor-app-store"
#: Rows read or written at a time, and the most bytes of JSON a batch holds.
BATCH = 2000
BATCH_BYTES = 32 << 20


def tables() -> list[Table]:
    """Every table of the application store, parents before the tables that name them."""
    from access.steering.tables import metadata as steering_metadata
    from access.store import metadata

    return [*metadata.sorted_tables, *steering_metadata.sorted_tables]


def dump(engine: Engine, out: IO[str]) -> dict[str, int]:
    """Write the store to ``out``; the number of rows of every table."""
    counts: dict[str, int] = {}
    with engine.connect() as con, con.begin():
        version = current_version(con)
        out.write(json.dumps({"format": FORMAT, "schema_version": version,
                              "tables": [t.name for t in tables()]}) + "\n")
        for table in tables():
            counts[table.name] = 0
            key = [c for c in table.primary_key.columns]
            result = con.execution_options(stream_results=True, yield_per=BATCH).execute(
                select(table).order_by(*key))
            for row in result:
                values = {k: _plain(v) for k, v in row._mapping.items()}
                out.write(json.dumps({"t": table.name, "r": values}, ensure_ascii=False) + "\n")
                counts[table.name] += 1
    return counts


def _plain(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"b64": base64.b64encode(bytes(value)).decode("ascii")}
    return value


def _value(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"b64"}:
        return base64.b64decode(value["b64"], validate=True)
    return value


def is_empty(engine: Engine) -> bool:
    """Whether no table of the store holds a row."""
    with engine.connect() as con:
        return all(not con.execute(select(func.count()).select_from(t)).scalar_one()
                   for t in tables())


def restore(engine: Engine, source: Path) -> dict[str, int]:
    """Load a dump into an empty store of the same schema version (all or nothing); the number
    of rows of every table."""
    by_name = {t.name: t for t in tables()}
    where = Where(str(source))
    with open(source, encoding="utf-8") as fh:
        head = _head(fh, where)
        if head["schema_version"] != APP_SCHEMA_VERSION:
            raise IvmError("bad_backup", f"the backup's application store has schema version "
                           f"{head['schema_version']}, this ivmonitor {APP_SCHEMA_VERSION}",
                           where, hint="restore it with the ivmonitor version that made it, "
                                       "then run `ivm migrate`")
        if not is_empty(engine):
            raise IvmError("not_empty", "the application store to restore into holds records",
                           hint="restore into an empty installation (a new IVM_APP_DB)")
        counts = dict.fromkeys(by_name, 0)
        with engine.begin() as con:
            for name, rows in _batches(fh, by_name, where):
                con.execute(insert(by_name[name]), rows)
                counts[name] += len(rows)
            _follow_sequences(con)
    return counts


def _head(fh: IO[str], where: Where) -> dict[str, Any]:
    try:
        head = json.loads(fh.readline(100_000))
    except ValueError:
        head = None
    if not isinstance(head, dict) or head.get("format") != FORMAT:
        raise IvmError("bad_backup", "not an ivmonitor application store backup", where)
    return head


def _batches(fh: IO[str], by_name: dict[str, Table],
             where: Where) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    name: str | None = None
    rows: list[dict[str, Any]] = []
    size = 0
    for number, line in enumerate(fh, start=2):
        try:
            item = json.loads(line)
            table, row = by_name[item["t"]], item["r"]
            if not isinstance(row, dict) or set(row) - set(table.columns.keys()):
                raise ValueError
            row = {k: _value(v) for k, v in row.items()}
        except (ValueError, KeyError, TypeError):
            raise IvmError("bad_backup", "not a row of a known table",
                           Where(where.file, row=number)) from None
        if (table.name != name and rows) or len(rows) >= BATCH or size > BATCH_BYTES:
            yield name, rows  # type: ignore[misc]
            rows, size = [], 0
        name = table.name
        rows.append(row)
        size += len(line)
    if rows and name:
        yield name, rows


def _follow_sequences(con: Connection) -> None:
    """PostgreSQL: the numbered columns' sequences continue after the restored ids (SQLite
    continues after the highest id by itself)."""
    if con.dialect.name != "postgresql":
        return
    for table in tables():
        for column in table.primary_key.columns:
            if column.autoincrement is True:
                con.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                    f"coalesce(max({column.name}), 0) + 1, false) FROM {table.name}"))


__all__ = ["dump", "is_empty", "restore", "tables"]
