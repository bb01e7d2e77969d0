"""CSV / TSV: encoding and delimiter detected, parsed in blocks by Arrow's CSV reader.

``_row`` is the record number a person sees in a spreadsheet: blank lines count (and are then
dropped, as blank sheet rows are), a record with a quoted line break counts once. Excel's
``sep=;`` first line and blank lines above the header are understood.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import re
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from core.errors import FileRejected, Where
from core.settings import setting
from etl.readers.base import ROW, Malformed, RawTable, ReadOptions, header_names
from etl.readers.sniff import FileFacts, csv_field_limit, detect_delimiter

_SAMPLE = 256 * 1024
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


class _Retry(Exception):
    """The binary read met a record only the text read handles (a malformed one)."""


class _LongLine(Exception):
    """A record is longer than the small blocks the file is streamed in (see _STREAM_BLOCK)."""


#: Bytes the file is parsed in at a time while no line is longer: small blocks let the next
#: block be parsed while DuckDB checks the rows of the one before (one block of the size a
#: line may take, IVM_MAX_LINE_MB, would be parsed before the first row is checked). A longer
#: line makes the read go on in blocks of the size a line may take.
_STREAM_BLOCK = 1 << 20


def _batches(
    facts: FileFacts, table: RawTable, encoding: str, delimiter: str
) -> Iterator[pa.RecordBatch]:
    """The file's batches. A Windows-1252 or Latin-1 file is parsed as bytes and only its
    values with non-ASCII bytes are decoded (Arrow's own transcoding decodes the whole file in
    Python, on one core). That read has no handler for malformed records (Arrow cannot pass
    their undecoded text to one): at the first, the text read takes over where it stopped.
    Either read goes on in larger blocks where a line is longer than the small ones."""
    codec = _single_byte_codec(facts, encoding)
    passed = [0, 0]  # records passed on (blank ones included), rows yielded
    limit = _block_size()
    block = min(_STREAM_BLOCK, limit)
    while True:
        try:
            if codec is not None:
                yield from _read(facts, table, encoding, delimiter, codec, passed, block)
            else:
                yield from _read(facts, table, encoding, delimiter, None, passed, block)
            return
        except _Retry:
            codec = None
        except _LongLine:
            block = limit


def _read(
    facts: FileFacts,
    table: RawTable,
    encoding: str,
    delimiter: str,
    codec: str | None,
    passed: list[int],
    block: int,
) -> Iterator[pa.RecordBatch]:
    """One read of the file in blocks of ``block`` bytes: as bytes decoded with ``codec``, or
    (None) as text in ``encoding``; the first ``passed[0]`` records were passed on by an
    earlier read. Raises _LongLine where a line is longer than a block smaller than the size a
    line may take."""
    columns = table.columns
    binary = codec is not None
    skip = passed[0]
    bad_texts: list[str] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        bad_texts.append(row.text)
        return "skip"

    # one thread: Arrow's threaded streaming reader parses no faster (its blocks come in
    # order) and starts later, and DuckDB's threads checking the rows need the cores
    read_opts = pacsv.ReadOptions(
        column_names=columns,
        skip_rows=table.first_data_row - 1,
        block_size=block,
        encoding="utf8" if binary or encoding in _UTF8 else encoding,
        use_threads=False,
    )
    # Blank lines come through as rows of empty strings so that the row numbers count them;
    # they are dropped below, like blank rows of a sheet.
    parse_opts = pacsv.ParseOptions(
        delimiter=delimiter,
        newlines_in_values=True,
        ignore_empty_lines=False,
        invalid_row_handler=None if binary else on_invalid,
    )
    convert_opts = pacsv.ConvertOptions(
        column_types={c: pa.binary() if binary else pa.string() for c in columns},
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
        _retry_longer(exc, block)
        if binary:
            raise _Retry from None
        raise _unreadable(exc, "", where) from None
    seen = 0
    first = table.first_data_row
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            break
        except pa.ArrowInvalid as exc:
            _retry_longer(exc, block)
            if binary:
                raise _Retry from None
            raise _unreadable(exc, f" after row {seen + first - 1}", where) from None
        start, n = seen, batch.num_rows
        seen += n
        if seen <= skip:
            continue
        if start < skip:
            batch = batch.slice(skip - start)
            start, n = skip, batch.num_rows
        if binary:
            batch = pa.RecordBatch.from_arrays(
                [_decoded(col, codec) for col in batch.columns], names=columns
            )
        # from_buffers, not pa.array(numpy): the latter makes pyarrow import pandas (1.5 s)
        numbers = np.arange(start + first, start + first + n, dtype=np.int64)
        rows = pa.Array.from_buffers(pa.int64(), n, [None, pa.py_buffer(numbers)])
        out = pa.RecordBatch.from_arrays([*batch.columns, rows], names=[*columns, ROW])
        filled = _not_blank(batch)
        if filled is not None:
            out = out.filter(filled)
        passed[0] = seen
        if out.num_rows:
            passed[1] += out.num_rows
            yield out
    if bad_texts:
        _locate_malformed(facts, table, encoding, delimiter, len(bad_texts))
    if passed[1] == 0 and not table.malformed:
        raise no_rows


def _block_size() -> int:
    """Bytes the file is parsed in at a time: the longest line it may have (a setting)."""
    text = setting("max_line_mb")
    try:
        mib = float(text)
    except ValueError:
        raise FileRejected("bad_setting", f"IVM_MAX_LINE_MB is not a number: {text!r}") from None
    return max(4096, int(mib * 2**20))


def _retry_longer(exc: pa.ArrowInvalid, block: int) -> None:
    """Raise _LongLine when ``exc`` is a line longer than ``block``, a block smaller than the
    size a line may take."""
    if "straddl" in str(exc) and block < _block_size():
        raise _LongLine from None


def _unreadable(exc: pa.ArrowInvalid, after: str, where: Where) -> FileRejected:
    """The rejection of a file Arrow cannot parse: a line longer than a block, or other."""
    if "straddl" in str(exc):
        return FileRejected(
            "line_too_long",
            f"a line{after} is longer than the {setting('max_line_mb')} MiB a line may take",
            where,
            hint="a quote that is never closed makes the rest of the file one line; or raise "
            "IVM_MAX_LINE_MB",
        )
    return FileRejected("unreadable_csv", f"cannot parse as CSV{after}: {exc}", where)


def _single_byte_codec(facts: FileFacts, encoding: str) -> str | None:
    """``cp1252`` or ``latin-1`` when the file's text is in one of them (every byte a character,
    for Windows-1252 only when the file holds no byte it leaves undefined), else None."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return None
    if name == "cp1252" and facts.cp1252_defined:
        return "cp1252"
    if name == "iso8859-1":
        return "latin-1"
    return None


@functools.cache
def _extra_bytes(codec: str) -> np.ndarray:
    """Per byte value: how many more bytes its character takes in UTF-8 than in ``codec``."""
    return np.array(
        [len(bytes([b]).decode(codec, errors="replace").encode("utf-8")) - 1 for b in range(256)],
        dtype=np.int32,
    )


def _decoded(column: pa.Array, codec: str) -> pa.Array:
    """A binary column holding ``codec`` text as UTF-8 strings: as it is when all ASCII, else
    its bytes decoded at once (one byte is one character, so a value's start only moves by
    the extra UTF-8 bytes of the non-ASCII characters before it, which are few)."""
    offsets = _offsets(column)
    data = np.frombuffer(column.buffers()[2], np.uint8)[offsets[0]: offsets[-1]]
    high = np.flatnonzero(data >= 0x80)
    if not len(high):
        return column.view(pa.string())
    text = data.tobytes().decode(codec).encode("utf-8")
    # extra bytes up to and including each non-ASCII byte; a value's start moves by those of
    # the non-ASCII bytes before it
    extra = np.zeros(len(high) + 1, dtype=np.int64)
    np.cumsum(_extra_bytes(codec)[data[high]], out=extra[1:])
    local = offsets - offsets[0]
    utf8_offsets = (local + extra[np.searchsorted(high, local)]).astype(np.int32)
    return pa.Array.from_buffers(
        pa.string(), len(column), [None, pa.py_buffer(utf8_offsets), pa.py_buffer(text)]
    )


def _offsets(column: pa.Array) -> np.ndarray:
    """The value offsets of a string or binary column (its own, when it is a slice)."""
    return np.frombuffer(column.buffers()[1], np.int32)[
        column.offset: column.offset + len(column) + 1
    ]


def _not_blank(batch: pa.RecordBatch) -> pa.Array | None:
    """Per row: whether any field holds more than whitespace; None when every row does (the
    common case, settled by the first column alone)."""
    if _all_start_printable(batch.column(0)):
        return None
    filled = pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(batch.column(0))), 0)
    if pc.all(filled).as_py():
        return None
    for column in batch.columns[1:]:
        filled = pc.or_(filled, pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(column)), 0))
    return filled


def _all_start_printable(column: pa.Array) -> bool:
    """Whether every value of a string column starts with a printable ASCII character (so
    none is blank), read from its buffers without a compute kernel."""
    n = len(column)
    if n == 0 or column.null_count:
        return False
    offsets = _offsets(column)
    if (offsets[1:] <= offsets[:-1]).any():
        return False  # an empty value
    data = np.frombuffer(column.buffers()[2], np.uint8)
    first = data[offsets[:-1]]
    return bool(((first > 0x20) & (first < 0x7F)).all())


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
