"""CSV / TSV: encoding and delimiter detected, parsed in blocks by Arrow's CSV reader.

``_row`` is the record number a person sees in a spreadsheet: blank lines count (and are then
dropped, as blank sheet rows are), a record with a quoted line break counts once. Excel's
``sep=;`` first line and blank lines above the header are understood.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from etl.errors import FileRejected, Where
from etl.readers.base import ROW, Malformed, RawTable, ReadOptions, header_names
from etl.readers.sniff import FileFacts, csv_field_limit, detect_delimiter

_SAMPLE = 256 * 1024
_BLOCK = 16 << 20
_UTF8 = ("utf-8", "utf-8-sig", "utf8")
_UTF16 = ("utf-16", "utf-16-le", "utf-16-be", "utf16")
#: Excel's hint line that names the delimiter, e.g. ``sep=;``.
_SEP_LINE = re.compile(r"sep=(.)", re.IGNORECASE)


def read_delimited(facts: FileFacts, options: ReadOptions) -> RawTable:
    """Read a delimited text file as a :class:`RawTable`."""
    path = facts.path
    where = Where(str(path))
    if facts.has_nul and facts.encoding not in _UTF16:
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
    preamble, sep_hint, text = _preamble(sample.lstrip("\ufeff"))
    if not text.strip():
        raise FileRejected(
            "empty_file", "the file holds no header row, only blank lines or a 'sep=' line", where
        )
    if path.suffix.lower() == ".tsv":
        delimiter = "\t"
    elif options.delimiter != "auto":
        delimiter = options.delimiter
    elif sep_hint is not None:
        delimiter = sep_hint
    else:
        delimiter = detect_delimiter(text)
    header_row = preamble + 1
    try:
        with csv_field_limit():
            first = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    except csv.Error as exc:
        raise FileRejected(
            "unreadable_csv", f"cannot read the header: {exc}", Where(str(path), row=header_row)
        ) from None
    columns = header_names(first, Where(str(path), row=header_row))
    table = RawTable(
        path=path,
        format="csv",
        columns=columns,
        batches=iter(()),
        first_data_row=header_row + 1,
        details={"encoding": encoding, "delimiter": delimiter},
    )
    table.batches = _batches(facts, table, encoding, delimiter)
    return table


def _preamble(sample: str) -> tuple[int, str | None, str]:
    """Lines above the header: blank lines and one Excel ``sep=X`` line. Returns their number,
    the delimiter the ``sep=`` line names (if any) and the text from the header on."""
    lines = io.StringIO(sample, newline="")
    count, sep = 0, None
    offset = 0
    for line in iter(lines.readline, ""):
        stripped = line.strip()
        hint = _SEP_LINE.fullmatch(line.rstrip("\r\n")) if sep is None else None
        if stripped and hint is None:
            break
        if hint is not None:
            sep = hint.group(1)
        count += 1
        offset += len(line)
    return count, sep, sample[offset:]


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
        skip_rows=table.first_data_row - 1,
        block_size=_BLOCK,
        encoding="utf8" if encoding in _UTF8 else encoding,
    )
    # Blank lines come through as rows of empty strings so that the row numbers count them;
    # they are dropped below, like blank rows of a sheet.
    parse_opts = pacsv.ParseOptions(
        delimiter=delimiter,
        newlines_in_values=True,
        ignore_empty_lines=False,
        invalid_row_handler=on_invalid,
    )
    convert_opts = pacsv.ConvertOptions(
        column_types={c: pa.string() for c in columns},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    where = Where(str(facts.path))
    no_rows = FileRejected(
        "no_rows",
        "the file has a header but no data rows",
        Where(str(facts.path), row=table.first_data_row - 1),
    )
    try:
        reader = pacsv.open_csv(
            facts.path, read_options=read_opts, parse_options=parse_opts,
            convert_options=convert_opts,
        )
    except pa.ArrowInvalid as exc:
        if "Empty CSV file" in str(exc):
            raise no_rows from None
        raise FileRejected("unreadable_csv", f"cannot parse as CSV: {exc}", where) from None
    seen = kept = 0
    first = table.first_data_row
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            break
        except pa.ArrowInvalid as exc:
            raise FileRejected(
                "unreadable_csv",
                f"cannot parse as CSV after row {seen + first - 1}: {exc}",
                where,
            ) from None
        n = batch.num_rows
        if n == 0:
            continue
        # from_buffers, not pa.array(numpy): the latter makes pyarrow import pandas (1.5 s)
        numbers = np.arange(seen + first, seen + first + n, dtype=np.int64)
        rows = pa.Array.from_buffers(pa.int64(), n, [None, pa.py_buffer(numbers)])
        seen += n
        out = pa.RecordBatch.from_arrays([*batch.columns, rows], names=[*columns, ROW])
        filled = _not_blank(batch)
        if filled is not None:
            out = out.filter(filled)
        if out.num_rows:
            kept += out.num_rows
            yield out
    if bad_texts:
        _locate_malformed(facts, table, encoding, delimiter, len(bad_texts))
    if kept == 0 and not table.malformed:
        raise no_rows


def _not_blank(batch: pa.RecordBatch) -> pa.Array | None:
    """Per row: whether any field holds more than whitespace; None when every row does (the
    common case, settled by the first column alone)."""
    filled = pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(batch.column(0))), 0)
    if pc.all(filled).as_py():
        return None
    for column in batch.columns[1:]:
        filled = pc.or_(filled, pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(column)), 0))
    return filled


def _locate_malformed(
    facts: FileFacts, table: RawTable, encoding: str, delimiter: str, expected: int
) -> None:
    """Find the record numbers of the malformed rows (rare path: a second, exact pass).

    Records are counted as Arrow counts them: a blank line is a (good, dropped) record.
    """
    width = len(table.columns)
    header_row = table.first_data_row - 1
    good = 0
    with (
        csv_field_limit(),
        open(facts.path, encoding=encoding, errors="replace", newline="") as fh,
    ):
        reader = csv.reader(fh, delimiter=delimiter)
        for record, fields in enumerate(reader, start=1):
            if record <= header_row:
                continue
            if len(fields) == width or not fields:
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
