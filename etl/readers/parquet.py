"""Parquet: streamed in record batches, every column turned into text with Arrow compute."""

from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from core.errors import FileRejected, Where
from etl.readers.base import ROW, RawTable, ReadOptions, header_names
from etl.readers.sniff import FileFacts
from etl.readers.xlsx import number_text

_BATCH = 50_000
_DATETIME = "%Y-%m-%d %H:%M:%S"


def read_parquet(facts: FileFacts, options: ReadOptions) -> RawTable:
    """Read a Parquet file as a :class:`RawTable` (``_row`` = 1-based record number)."""
    path = facts.path
    where = Where(str(path))
    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise FileRejected(
            "not_parquet",
            f"not a Parquet file ({exc})",
            where,
            hint="write the table with a Parquet writer (pyarrow, pandas, DuckDB) or export CSV",
        ) from None
    columns = header_names(list(pf.schema_arrow.names), where)
    total = pf.metadata.num_rows
    if total == 0:
        pf.close()
        raise FileRejected("no_rows", "the Parquet file has columns but no rows", where)
    table = RawTable(
        path=path,
        format="parquet",
        columns=columns,
        batches=iter(()),
        first_data_row=1,
        details={"rows": str(total)},
    )
    table.batches = _batches(pf, columns, options.decimal, where)
    return table


def _batches(
    pf: pq.ParquetFile, columns: list[str], decimal: str, where: Where
) -> Iterator[pa.RecordBatch]:
    seen = 0
    batches = pf.iter_batches(batch_size=_BATCH)
    try:
        while True:
            try:
                batch = next(batches, None)
            except (pa.ArrowException, OSError) as exc:
                raise FileRejected(
                    "unreadable_parquet",
                    f"the Parquet data cannot be read after record {seen}: {exc}",
                    where,
                ) from None
            if batch is None:
                break
            n = batch.num_rows
            if n == 0:
                continue
            arrays = [text_array(col, decimal) for col in batch.columns]
            arrays.append(pa.array(np.arange(seen + 1, seen + 1 + n, dtype=np.int64)))
            seen += n
            yield pa.RecordBatch.from_arrays(arrays, names=[*columns, ROW])
    finally:
        pf.close()


def text_array(arr: pa.Array, decimal: str = ",") -> pa.Array:
    """``arr`` as a string array without nulls (null -> ""): numbers in plain notation with
    ``decimal`` as separator, timestamps ``YYYY-MM-DD HH:MM:SS``, dates ``YYYY-MM-DD``."""
    kind = arr.type
    if pa.types.is_dictionary(kind):
        arr = arr.dictionary_decode()
        kind = arr.type
    if pa.types.is_null(kind):
        out = pa.nulls(len(arr), pa.string())
    elif pa.types.is_floating(kind):
        out = _float_text(arr, decimal)
    elif pa.types.is_decimal(kind):
        out = _with_decimal(arr.cast(pa.string()), decimal)
    elif pa.types.is_timestamp(kind):
        out = _timestamp_text(arr)
    elif pa.types.is_time(kind):
        out = _exact_cast(arr, pa.time32("s")).cast(pa.string())
    elif pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        out = pa.array(
            [None if v is None else v.decode("utf-8", "replace") for v in arr.to_pylist()],
            pa.string(),
        )
    elif (
        pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
        or pa.types.is_integer(kind)
        or pa.types.is_boolean(kind)
        or pa.types.is_date(kind)
    ):
        out = arr.cast(pa.string())
    else:
        try:
            out = arr.cast(pa.string())
        except pa.ArrowNotImplementedError:
            out = pa.array(
                [
                    None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                    for v in arr.to_pylist()
                ],
                pa.string(),
            )
    return pc.fill_null(out, "")


def _float_text(arr: pa.Array, decimal: str) -> pa.Array:
    out = arr.cast(pa.string())
    odd = pc.match_substring_regex(out, r"[eEnN]|^-0$")
    if pc.any(odd).as_py():
        texts = out.to_pylist()
        floats = arr.to_pylist()
        for i in np.flatnonzero(odd.fill_null(False).to_numpy(zero_copy_only=False)):
            texts[i] = number_text(float(floats[i]), ".")
        out = pa.array(texts, pa.string())
    return _with_decimal(out, decimal)


def _with_decimal(texts: pa.Array, decimal: str) -> pa.Array:
    return texts if decimal == "." else pc.replace_substring(texts, ".", decimal)


def _timestamp_text(arr: pa.Array) -> pa.Array:
    whole = _exact_cast(arr, pa.timestamp("s", tz=arr.type.tz))
    return pc.strftime(whole, format=_DATETIME)


def _exact_cast(arr: pa.Array, target: pa.DataType) -> pa.Array:
    """``arr`` cast to whole seconds when no fraction is lost, else unchanged."""
    try:
        return arr.cast(target)
    except pa.ArrowInvalid:
        return arr
