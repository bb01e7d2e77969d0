"""CSV / TSV: encoding and delimiter detected, parsed in blocks by Arrow's CSV reader."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from etl.errors import FileRejected, Where
from etl.readers.base import ROW, Malformed, RawTable, ReadOptions, header_names
from etl.readers.sniff import FileFacts, detect_delimiter

_SAMPLE = 256 * 1024
_BLOCK = 16 << 20
_UTF8 = ("utf-8", "utf-8-sig", "utf8")


def read_delimited(facts: FileFacts, options: ReadOptions) -> RawTable:
    """Read a delimited text file as a :class:`RawTable`."""
    path = facts.path
    where = Where(str(path))
    if facts.has_nul:
        raise FileRejected(
            "binary_file",
            "binary content (NUL bytes), not a text table",
            where,
            hint="export the data as CSV or XLSX",
        )
    encoding = _encoding(facts, options, where)
    with open(path, "rb") as fh:
        sample = fh.read(_SAMPLE).decode(encoding, errors="replace")
    if not sample.strip():
        raise FileRejected("empty_file", "the file holds no text", where)
    if path.suffix.lower() == ".tsv":
        delimiter = "\t"
    elif options.delimiter != "auto":
        delimiter = options.delimiter
    else:
        delimiter = detect_delimiter(sample)
    first = next(csv.reader(io.StringIO(sample.lstrip("\ufeff")), delimiter=delimiter), [])
    columns = header_names(first, Where(str(path), row=1))
    table = RawTable(
        path=path,
        format="csv",
        columns=columns,
        batches=iter(()),
        details={"encoding": encoding, "delimiter": delimiter},
    )
    table.batches = _batches(facts, table, encoding, delimiter)
    return table


def _encoding(facts: FileFacts, options: ReadOptions, where: Where) -> str:
    declared = options.encoding.lower()
    if declared == "auto":
        return facts.encoding
    if declared in _UTF8 and not facts.is_utf8:
        offset = facts.first_invalid_utf8 or 0
        with open(facts.path, "rb") as fh:
            head = fh.read(offset + 1)
        line = head.count(b"\n") + 1
        raise FileRejected(
            "wrong_encoding",
            f"byte 0x{head[-1]:02X} at offset {offset} (line {line}) is not valid UTF-8, but the "
            f"profile declares {options.encoding}",
            where,
            hint=f"the file looks like {facts.encoding}: declare that or use encoding: auto",
        )
    return declared


def _batches(
    facts: FileFacts, table: RawTable, encoding: str, delimiter: str
) -> Iterator[pa.RecordBatch]:
    columns = table.columns
    bad_texts: list[str] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        bad_texts.append(row.text)
        return "skip"

    read_opts = pacsv.ReadOptions(
        column_names=columns,
        skip_rows=1,
        block_size=_BLOCK,
        encoding="utf8" if encoding in _UTF8 else encoding,
    )
    parse_opts = pacsv.ParseOptions(
        delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
    )
    convert_opts = pacsv.ConvertOptions(
        column_types={c: pa.string() for c in columns},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    where = Where(str(facts.path))
    try:
        reader = pacsv.open_csv(
            facts.path, read_options=read_opts, parse_options=parse_opts,
            convert_options=convert_opts,
        )
    except pa.ArrowInvalid as exc:
        if "Empty CSV file" in str(exc):
            raise FileRejected("no_rows", "the file has a header but no data rows", where) from None
        raise FileRejected("unreadable_csv", f"cannot parse as CSV: {exc}", where) from None
    seen = 0
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            break
        except pa.ArrowInvalid as exc:
            raise FileRejected(
                "unreadable_csv", f"cannot parse as CSV after data row {seen}: {exc}", where
            ) from None
        n = batch.num_rows
        if n == 0:
            continue
        rows = pa.array(np.arange(seen + 2, seen + 2 + n, dtype=np.int64))
        seen += n
        yield pa.RecordBatch.from_arrays([*batch.columns, rows], names=[*columns, ROW])
    if bad_texts:
        _locate_malformed(facts, table, encoding, delimiter, len(bad_texts))
    if seen == 0 and not table.malformed:
        raise FileRejected("no_rows", "the file has a header but no data rows", where)


def _locate_malformed(
    facts: FileFacts, table: RawTable, encoding: str, delimiter: str, expected: int
) -> None:
    """Find the record numbers of the malformed rows (rare path: a second, exact pass)."""
    width = len(table.columns)
    good = 0
    with open(facts.path, encoding=encoding, errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        record = 0
        for fields in reader:
            if not fields or fields == [""]:
                continue
            record += 1
            if record == 1:
                continue
            if len(fields) == width:
                good += 1
                continue
            code = "too_few_fields" if len(fields) < width else "too_many_fields"
            raw = delimiter.join(fields)
            table.malformed.append(
                Malformed(
                    row=record,
                    raw=raw[:2000],
                    code=code,
                    reason=f"{len(fields)} fields where the header has {width}"
                    + (" (truncated row?)" if len(fields) < width else ""),
                )
            )
            table.row_shifts.append(good)
