"""The shape every reader returns, and the dispatch from a file to its reader."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from core.errors import FileRejected, Where
from core.settings import setting
from etl.readers.sniff import FileFacts

#: Name of the row-number column every reader adds to its batches.
ROW = "_row"


@dataclass(frozen=True)
class Malformed:
    """A record the reader could not split into the header's columns."""

    row: int
    raw: str
    code: str
    reason: str


@dataclass
class RawTable:
    """A source file as text columns.

    ``batches`` yields Arrow record batches with one string column per entry of ``columns``
    (empty cells are empty strings) and ``_row``, the row number a person finds in the file
    (the header is row 1 in a CSV; the sheet's own row numbers in XLSX). ``malformed`` and
    ``row_shifts`` are complete once ``batches`` is exhausted: ``row_shifts`` lists, for each
    malformed record, how many good records came before it, so the pipeline can correct the
    provisional row numbers of the records after it.
    """

    path: Path
    format: str
    columns: list[str]
    batches: Iterator[pa.RecordBatch]
    malformed: list[Malformed] = field(default_factory=list)
    row_shifts: list[int] = field(default_factory=list)
    first_data_row: int = 2
    details: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ReadOptions:
    """What a profile tells the readers (``auto`` means detect)."""

    encoding: str = "auto"
    delimiter: str = "auto"
    decimal: str = ","
    sheet: str | None = None
    layer: str | None = None
    expected_columns: tuple[str, ...] = ()


#: The file types :func:`read_table` reads, by name ending.
FORMATS = (".csv", ".tsv", ".txt", ".xlsx", ".parquet", ".geojson", ".json", ".shp", ".gpkg",
           ".csv.gz", ".tsv.gz", ".txt.gz", ".geojson.gz")


def read_table(facts: FileFacts, options: ReadOptions) -> RawTable:
    """Open ``facts.path`` with the reader for its format (by extension, checked by content)."""
    path = facts.path
    suffix = path.suffix.lower()
    if facts.size == 0:
        raise FileRejected("empty_file", "the file is empty (0 bytes)", Where(str(path)))
    if suffix in (".csv", ".tsv", ".txt"):
        from etl.readers.delimited import read_delimited

        return read_delimited(facts, options)
    if suffix in (".xlsx", ".xlsm"):
        from etl.readers.xlsx import read_xlsx

        return read_xlsx(facts, options)
    if suffix == ".parquet":
        from etl.readers.parquet import read_parquet

        return read_parquet(facts, options)
    if suffix in (".geojson", ".json"):
        from etl.readers.geo import read_geojson

        return read_geojson(facts, options)
    if suffix == ".shp":
        from etl.readers.geo import read_shapefile

        return read_shapefile(facts, options)
    if suffix == ".gpkg":
        from etl.readers.geopackage import read_geopackage

        return read_geopackage(facts, options)
    if suffix == ".gz":
        from etl.readers.gzipped import read_gzipped

        return read_gzipped(facts, options, read_table)
    raise FileRejected(
        "unknown_format",
        f"unknown file type '{suffix or '(none)'}'",
        Where(str(path)),
        hint="expected " + ", ".join(FORMATS),
    )


def header_names(raw: list[object], where: Where) -> list[str]:
    """Clean header cells: trimmed, blank ones named ``column_N``; duplicates are an error, and
    so are more columns than ``IVM_MAX_COLUMNS`` (a file's width is what its reading costs per
    row)."""
    limit = int(setting("max_columns"))
    if len(raw) > limit:
        raise FileRejected(
            "too_many_columns",
            f"the header has {len(raw):,} columns; at most {limit:,} are read",
            where,
            hint="remove the columns that are not needed, or raise IVM_MAX_COLUMNS",
        )
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, cell in enumerate(raw, start=1):
        name = "" if cell is None else str(cell).replace("\ufeff", "").strip()
        if not name:
            name = f"column_{i}"
        key = name.casefold()
        if key in seen:
            raise FileRejected(
                "duplicate_header",
                f"column '{name}' appears twice in the header (columns {seen[key]} and {i})",
                where,
                hint="rename or remove one of them",
            )
        seen[key] = i
        names.append(name)
    return names


def string_batch(columns: list[str], values: list[list[str]], rows: list[int]) -> pa.RecordBatch:
    """A record batch of string columns plus ``_row`` from column-wise Python lists."""
    arrays = [pa.array(v, type=pa.string()) for v in values]
    arrays.append(pa.array(rows, type=pa.int64()))
    return pa.RecordBatch.from_arrays(arrays, names=[*columns, ROW])
