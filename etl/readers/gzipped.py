"""Gzip-compressed files (``.csv.gz``, ``.tsv.gz``, ``.geojson.gz``, ...): unpacked, bounded, to a
temporary copy that the reader of the inner format reads.

The unpacking is bounded twice: the whole (``IVM_MAX_GUNZIP_MB``) and the packing ratio (a file
that unpacks beyond 10 MiB at more than 200 times its packed size is a gzip bomb, not data: a
CSV packs 5 to 20 times). Either is refused in one line before the copy grows further. The copy
keeps the original name in a private temporary folder, is removed once the rows are read (or,
left behind by a load that was killed, by a load a day later), and messages name the original
file.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import stat
import tempfile
import time
import weakref
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa

from core.errors import FileRejected, IvmError, Where
from core.settings import setting
from etl.readers.base import RawTable, ReadOptions
from etl.readers.sniff import FileFacts, inspect_file, open_input

_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 20
#: A gzip member unpacked beyond this many bytes is held to :data:`MAX_RATIO`.
BIG = 10 << 20
#: Most times its packed size a file may unpack to (beyond :data:`BIG`).
MAX_RATIO = 200
#: The temporary folders of unpacked copies, and the age after which a copy left behind by a
#: killed load is removed by the next one.
PREFIX = "ivm-gunzip-"
STALE_HOURS = 24
#: The inner formats a gzip file may hold.
INNER = (".csv", ".tsv", ".txt", ".geojson", ".json")


def read_gzipped(
    facts: FileFacts, options: ReadOptions, read_inner: Callable[[FileFacts, ReadOptions], RawTable]
) -> RawTable:
    """Unpack ``facts.path`` (bounded) and read the copy with ``read_inner``; the table names
    the original file and removes the copy once its batches are read (or it is dropped)."""
    path = facts.path
    inner_name = path.name[: -len(path.suffix)]
    if Path(inner_name).suffix.lower() not in INNER:
        raise FileRejected(
            "unknown_format",
            f"a gzip file of unknown content '{Path(inner_name).suffix or '(none)'}'",
            Where(str(path)),
            hint="expected " + ", ".join(f"{s}.gz" for s in INNER),
        )
    remove_stale_copies()
    folder = Path(tempfile.mkdtemp(prefix=PREFIX))
    try:
        copy = folder / inner_name
        gunzip_bounded(path, copy)
        inner = inspect_file(copy)
        table = read_inner(inner, options)
    except IvmError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise _as_original(exc, copy, path) from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    weakref.finalize(table, shutil.rmtree, folder, ignore_errors=True)
    table.path = path
    table.details["compression"] = "gzip"
    table.batches = _removing(table.batches, folder, copy, path)
    return table


def remove_stale_copies(now: float | None = None) -> list[Path]:
    """Remove the unpacked copies of loads that were killed before they could (this user's
    folders older than :data:`STALE_HOURS` in the temporary folder): they would hold the
    disk. The folders removed."""
    now = time.time() if now is None else now
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
        try:
            info = folder.lstat()
        except OSError:
            continue
        if (stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
                and now - info.st_mtime > STALE_HOURS * 3600):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def stated_size(source: Path) -> int | None:
    """The unpacked size the trailer of the gzip file ``source`` states (its last member's,
    modulo 2**32, as gzip stores it: a file that unpacks to 4 GiB or more may state less), or
    None when ``source`` does not start with the gzip signature. Reads 6 bytes."""
    with open_input(source) as fh:
        if os.fstat(fh.fileno()).st_size < 18 or fh.read(2) != _MAGIC:
            return None
        fh.seek(-4, os.SEEK_END)
        return int.from_bytes(fh.read(4), "little")


def gunzip_bounded(source: Path, target: Path) -> int:
    """Unpack the gzip file ``source`` into ``target``; the unpacked size. Refuses a file that is
    not gzip (``not_gzip``), is damaged or cut short (``corrupt_gzip``), or unpacks beyond the
    bounds (``gzip_bomb``), each in one line."""
    where = Where(str(source))
    limit_mb = float(setting("max_gunzip_mb"))
    limit = int(limit_mb * 2**20)
    packed = unpacked = 0
    with open_input(source) as fh, open(target, "wb") as out:
        head = fh.read(2)
        if head != _MAGIC:
            raise FileRejected(
                "not_gzip", "not a gzip file (it does not start with the gzip signature)",
                where, hint="give the file without .gz, or compress it with gzip",
            )
        unpacker = zlib.decompressobj(wbits=31)
        fed = False  # whether the current unpacker has been given bytes of a member
        chunk = head + fh.read(_CHUNK)
        while chunk:
            packed += len(chunk)
            data = chunk
            while True:
                try:
                    # at most a chunk out per call: a bomb never fills memory
                    block = unpacker.decompress(data, _CHUNK)
                except zlib.error as exc:
                    raise _corrupt(where, f"damaged near byte {packed:,} ({exc})") from None
                fed = fed or bool(data)
                unpacked += len(block)
                _check_bounds(unpacked, packed, limit, limit_mb, where)
                out.write(block)
                if unpacker.eof:  # a member ended: another may follow (concatenated gzip)
                    data = unpacker.unused_data
                    unpacker, fed = zlib.decompressobj(wbits=31), False
                    if not data:
                        break
                    continue
                data = unpacker.unconsumed_tail
                if not data and len(block) < _CHUNK:
                    break
            chunk = fh.read(_CHUNK)
        if fed:
            raise _corrupt(where, "cut short: it ends inside the compressed data")
    return unpacked


def _check_bounds(unpacked: int, packed: int, limit: int, limit_mb: float, where: Where) -> None:
    if unpacked > limit:
        raise FileRejected(
            "gzip_bomb", f"the file unpacks to more than the {limit_mb:g} MiB allowed", where,
            hint="split the file, or raise IVM_MAX_GUNZIP_MB if it is genuine",
        )
    if unpacked > BIG and unpacked > MAX_RATIO * packed:
        raise FileRejected(
            "gzip_bomb",
            f"the file unpacks to more than {unpacked // packed:,} times its packed size (at "
            f"most {MAX_RATIO} expected): a gzip bomb, not data",
            where, hint="give the file without compression if it is genuine",
        )


def _corrupt(where: Where, what: str) -> FileRejected:
    return FileRejected("corrupt_gzip", f"the gzip file is {what}", where,
                        hint="download or copy the file again")


def _as_original(exc: IvmError, copy: Path, original: Path) -> IvmError:
    """``exc`` naming the original file where it named the unpacked copy."""
    if exc.where.file == str(copy):
        exc.where = dataclasses.replace(exc.where, file=str(original))
        exc.args = (exc.one_line(),)
    return exc


def _removing(
    batches: Iterator[pa.RecordBatch], folder: Path, copy: Path, original: Path
) -> Iterator[pa.RecordBatch]:
    try:
        yield from batches
    except IvmError as exc:
        raise _as_original(exc, copy, original) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
