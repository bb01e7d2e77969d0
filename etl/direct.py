"""A source's first delivery, written straight into its fact table.

A load checks a file into the temp table ``checked`` and then merges its good rows into the
fact table (see :mod:`etl.facts`): every row is written twice, once checked and once stored.
When nothing of the source is stored yet there is nothing to merge with, so a CSV file checked
from the reader's stream (:func:`etl.stage.check_streamed`) is written in one statement: the
good rows straight into the fact table, the rows that fail or have no id (few) handed to
:class:`SetAside` as the statement meets them, a function with a side effect that keeps them
for a small ``checked`` the quarantine reads as usual; skipped rows are only counted.

Where the usual load would do more than that statement can, :meth:`DirectWrite.write` returns
None and the caller rolls the write back and loads the file the usual way: an id that occurs
twice in the file (each of its rows is quarantined), a good row without an id (it gets a
content id), or more rows set aside than :data:`SET_ASIDE_MAX` (they are held in memory);
so does :func:`etl.stage.check_streamed` when a number column's decimal convention turns out
other than its first rows showed.

Whether an id occurs twice is settled without a look at the rows written when the file's ids
rise from row to row (as numbered exports do): the batches are watched as they stream by
(:meth:`DirectWrite.see`), and ids that each sort after the one before cannot repeat. Other
files pay a count of the distinct ids written.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from core.sqltext import ident, lit
from etl.kinds.fields import KindSpec
from etl.plain import plain_rows

#: The most rows one direct write sets aside (held in memory, in Python): beyond, the file is
#: loaded the usual way, whose ``checked`` DuckDB may spill to disk.
SET_ASIDE_MAX = 100_000
#: Columns of the rows set aside: the names ``checked`` has (see etl.stage.checked_select).
_ASIDE = ("_row", "skip", "source_id", "reasons", "_raw_json", "_digest")
_ASIDE_TYPES = ("BIGINT", "BOOLEAN", "VARCHAR", "VARCHAR[]", "VARCHAR", "VARCHAR")
#: The set-aside function's name (with a number of its own for each write: a rolled-back
#: write takes its function out of DuckDB's catalog, but not out of the connection's record
#: of the functions it registered, so the name could not be registered again).
_FUNCTION = "ivm_set_aside"
_WRITES = itertools.count(1)


def stored_columns(spec: KindSpec) -> list[str]:
    """The columns of a kind's fact table that hold the row's values (not its identity or
    provenance: source, source_id, row_hash, load_id)."""
    cols = [f.name for f in spec.fields if f.name != "source_id"]
    return [*cols, "area_id"] if spec.has_area else cols


def row_hash_sql(terms: list[str]) -> str:
    """SQL of a row's hash over ``terms`` (SQL of its stored values, in stored_columns order).

    DuckDB's hash of the typed values, stored as the number it is: four times cheaper than md5
    over text. A DuckDB upgrade that changed it would count unchanged rows of a re-delivery as
    replaced, never lose one."""
    return f"hash({', '.join(terms)})"


def nothing_stored(con: duckdb.DuckDBPyConnection, spec: KindSpec, source: str) -> bool:
    """Whether the fact table of ``spec`` holds no row of ``source``."""
    return not con.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM {ident(spec.table)} WHERE source = ? LIMIT 1)",
        [source],
    ).fetchall()[0][0]


class SetAside:
    """The rows a direct write does not store, kept as DuckDB hands them over (an Arrow UDF
    with a side effect; DuckDB's worker threads call it, so it takes a lock). Raises once more
    than ``limit`` rows (default :data:`SET_ASIDE_MAX`) are kept: the statement fails, and
    ``overflowed`` says why."""

    def __init__(self, limit: int | None = None):
        self.limit = SET_ASIDE_MAX if limit is None else limit
        self.batches: list[pa.RecordBatch] = []
        self.rows = 0
        self.overflowed = False
        self._lock = threading.Lock()

    def keep(
        self, row: pa.Array, skip: pa.Array, source_id: pa.Array, reasons: pa.Array,
        raw_json: pa.Array, digest: pa.Array,
    ) -> pa.Array:
        """Keep these rows (the columns of :data:`_ASIDE`); False for each (not stored)."""
        columns = (row, skip, source_id, reasons, raw_json, digest)
        arrays = [c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c for c in columns]
        n = len(arrays[0])
        with self._lock:
            if self.rows + n > self.limit:
                self.overflowed = True
                raise OverflowError(f"more than {self.limit} rows set aside")
            self.rows += n
            self.batches.append(pa.RecordBatch.from_arrays(arrays, names=list(_ASIDE)))
        # all bits zero: False for every row (pa.repeat or pa.array would import pandas)
        return pa.Array.from_buffers(pa.bool_(), n, [None, pa.py_buffer(bytes((n + 7) // 8))])

    def table(self) -> pa.Table:
        """The rows kept, as a table of the columns of ``checked`` they fill."""
        schema = pa.schema([
            ("_row", pa.int64()), ("skip", pa.bool_()), ("source_id", pa.string()),
            ("reasons", pa.list_(pa.string())), ("_raw_json", pa.string()),
            ("_digest", pa.string()),
        ])
        # one chunk per column: the batches are many and small (a cast of each, and DuckDB
        # reading a table of thousands of chunks, cost more than the rows)
        columns = [
            pa.concat_arrays([b.column(i) for b in self.batches]).cast(field.type)
            for i, field in enumerate(schema)
        ]
        return pa.Table.from_arrays(columns, schema=schema)


@dataclass
class DirectWrite:
    """The first delivery of ``source`` into ``spec``'s fact table as load ``load_id``; after
    :meth:`write`, ``stored`` is the number of rows written. ``id_column``: the column of the
    streamed batches that holds the ids (``c<i>``), watched by :meth:`see`."""

    spec: KindSpec
    source: str
    load_id: int
    id_column: str | None = None
    stored: int = 0
    #: Rows of the file seen so far (every batch passes :meth:`see`), and of those the rows
    #: skipped (their category maps to ``_skip``, or their area is unknown and skipped).
    rows: int = 0
    skipped: int = 0
    #: Whether every id seen so far is non-empty, its own cleaned text, and sorts after the
    #: one before it (then no id repeats).
    rising: bool = True
    _last: str | None = None
    _aside: SetAside = field(default_factory=SetAside)

    def see(self, batch: pa.RecordBatch) -> None:
        """Count the rows of the next batch of the file and watch its ids (every batch, in
        file order)."""
        self.rows += batch.num_rows
        if not self.rising or batch.num_rows == 0:
            return
        if self.id_column is None:
            self.rising = False
            return
        ids = batch.column(self.id_column)
        n = len(ids)
        if (
            ids.null_count
            or not pc.all(plain_rows([ids])).as_py()  # cleaning would leave each as it is
            or pc.min(pc.binary_length(ids)).as_py() == 0
            or (n > 1 and not pc.all(pc.less(ids.slice(0, n - 1), ids.slice(1))).as_py())
            or (self._last is not None and not self._last < ids[0].as_py())
        ):
            self.rising = False
            return
        self._last = ids[n - 1].as_py()

    def write(self, con: duckdb.DuckDBPyConnection, checked: str) -> int | None:
        """Write the rows of ``checked`` (SQL of etl.stage.checked_select with ``_digest``),
        the good ones into the fact table and the failing ones into temp table ``checked``
        (skipped rows are counted), inside the caller's transaction; the number of rows (all
        rows of the file must have passed :meth:`see`), or None when the file is to be loaded
        the usual way (the caller rolls back: the fact table may hold some of the rows). When
        the statement fails, the caller's transaction is rolled back and begun anew."""
        self._aside = SetAside()
        cols = stored_columns(self.spec)
        values = [f"c.{ident(c)}" for c in cols]
        args = ", ".join(f"c.{ident(c)}" for c in _ASIDE)
        function = f"{_FUNCTION}_{next(_WRITES)}"
        con.create_function(
            function, self._aside.keep, list(_ASIDE_TYPES), "BOOLEAN", type="arrow",
            null_handling="special", side_effects=True,
        )
        order = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
        con.execute("SET preserve_insertion_order = false")
        try:
            self.stored = con.execute(
                f"""
                INSERT INTO {ident(self.spec.table)}
                    ({', '.join(map(ident, cols))}, source, source_id, row_hash, load_id)
                SELECT {', '.join(values)}, {lit(self.source)}, c.source_id,
                       {row_hash_sql(values)}, {int(self.load_id)}
                FROM ({checked}) c
                WHERE NOT c.skip AND CASE WHEN len(c.reasons) = 0 AND c._digest IS NULL
                                          THEN true ELSE {function}({args}) END
                """
            ).fetchall()[0][0]
        except duckdb.Error:
            # a failed statement aborts the transaction, which is begun anew (its rollback
            # takes the function with it; the setting is not transactional)
            con.execute("ROLLBACK")
            con.execute("BEGIN")
            con.execute(f"SET preserve_insertion_order = {bool(order)}")
            if self._aside.overflowed:
                return None
            raise
        con.execute(f"SET preserve_insertion_order = {bool(order)}")
        con.remove_function(function)
        self.skipped = self.rows - self.stored - self._aside.rows
        self._keep_aside(con)
        if not self._complete(con):
            return None
        return self.rows

    def _keep_aside(self, con: duckdb.DuckDBPyConnection) -> None:
        """Temp table ``checked`` of the rows set aside."""
        cols = ", ".join(f"{n} {t}" for n, t in zip(_ASIDE, _ASIDE_TYPES, strict=True))
        con.execute(f"CREATE OR REPLACE TEMP TABLE checked ({cols})")
        if self._aside.rows:
            con.register("_aside", self._aside.table())
            con.execute("INSERT INTO checked SELECT * FROM _aside")
            con.unregister("_aside")

    def _complete(self, con: duckdb.DuckDBPyConnection) -> bool:
        """Whether the write did all the usual load would: no good row waits for a content id,
        and no id occurs twice among the rows stored and the failing rows set aside."""
        waiting = con.execute(
            "SELECT count(*) FROM checked WHERE _digest IS NOT NULL "
            "AND len(reasons) = 0 AND NOT skip"
        ).fetchall()[0][0]
        if waiting:
            return False
        if self.rising:  # no id of the file repeats (see the module)
            return True
        ids, distinct = con.execute(
            f"""
            SELECT count(*), count(DISTINCT id) FROM (
                SELECT source_id AS id FROM {ident(self.spec.table)} WHERE load_id = ?
                UNION ALL
                SELECT source_id FROM checked WHERE NOT skip AND source_id IS NOT NULL
            )
            """,
            [self.load_id],
        ).fetchall()[0]
        return ids == distinct
