"""Facts about a file before it is parsed: checksum, size, text encoding, binary content."""

from __future__ import annotations

import codecs
import contextlib
import csv
import errno
import hashlib
import os
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from core.errors import FileRejected, Where

_CHUNK = 1 << 20
#: Bytes that Windows-1252 leaves undefined; a file with them is read as Latin-1.
_CP1252_UNDEFINED = [bytes([b]) for b in (0x81, 0x8D, 0x8F, 0x90, 0x9D)]
#: Longest field the csv module accepts while we parse (its default is 128 KiB); longer fields
#: are read and then quarantined as too long, not a crash.
_FIELD_LIMIT = 1 << 30


@dataclass(frozen=True)
class FileFacts:
    """What a single pass over the bytes of a file tells."""

    path: Path
    sha256: str
    size: int
    encoding: str
    has_nul: bool
    first_invalid_utf8: int | None
    #: Whether every byte is defined in Windows-1252 (none of 0x81, 0x8D, 0x8F, 0x90, 0x9D).
    cp1252_defined: bool = True

    @property
    def is_utf8(self) -> bool:
        """Whether the whole file is valid UTF-8 (with or without BOM)."""
        return self.first_invalid_utf8 is None


def open_input(path: Path) -> BinaryIO:
    """Open an input file for reading, refused (one line, nothing read) when it is a symbolic
    link or not a regular file (a folder, a device, a named pipe): a load reads the file it
    was given, never what a link points to, and never waits on a pipe."""
    where = Where(str(path))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise FileRejected("symbolic_link", "is a symbolic link; ivmonitor reads only "
                               "regular files", where, hint="give the file itself") from None
        raise FileRejected("unreadable", f"cannot open file: {exc.strerror}", where) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise FileRejected("not_a_file", "is not a regular file (a folder, device or pipe)",
                           where, hint="give a data file")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def inspect_file(path: Path, digest: bool = True) -> FileFacts:
    """Read ``path`` once (opened by :func:`open_input`): sha256, size, NUL bytes and the
    encoding of its text. Without ``digest``, ``sha256`` is left empty (see
    :class:`FileDigest`: a load hashes the file while it reads it).

    Encoding: ``utf-8-sig`` with a BOM, ``utf-16`` with a UTF-16 BOM (Excel's "Unicode text"),
    ``utf-8`` when every byte sequence is valid UTF-8, else ``cp1252`` (Windows-1252, the usual
    Belgian export), or ``latin-1`` when bytes undefined in Windows-1252 occur.
    """
    hashed = hashlib.sha256() if digest else None
    decoder = codecs.getincrementaldecoder("utf-8")()
    size = 0
    has_nul = False
    invalid_at: int | None = None
    cp1252_ok = True
    bom = False
    utf16 = False
    with open_input(path) as fh:
        while chunk := fh.read(_CHUNK):
            if size == 0 and chunk.startswith(codecs.BOM_UTF8):
                bom = True
            if size == 0 and chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                utf16 = True
            if hashed is not None:
                hashed.update(chunk)
            if not has_nul and b"\x00" in chunk:
                has_nul = True
            if invalid_at is None:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    invalid_at = size + exc.start
            if cp1252_ok:
                cp1252_ok = not any(b in chunk for b in _CP1252_UNDEFINED)
            size += len(chunk)
        if invalid_at is None:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                invalid_at = size
    if utf16:
        encoding = "utf-16"
    elif invalid_at is None:
        encoding = "utf-8-sig" if bom else "utf-8"
    else:
        encoding = "cp1252" if cp1252_ok else "latin-1"
    sha256 = hashed.hexdigest() if hashed is not None else ""
    return FileFacts(path, sha256, size, encoding, has_nul, invalid_at, cp1252_ok)


class FileDigest:
    """The sha256 of a file, computed on a thread of its own from the moment it is made (the
    hashing and the reading let go of the interpreter, so it runs beside a load that reads the
    file); :meth:`result` waits for it."""

    def __init__(self, path: Path):
        self._path = path
        self._value: str | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="ivm-sha256", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            with open_input(self._path) as fh:
                self._value = hashlib.file_digest(fh, "sha256").hexdigest()
        except BaseException as exc:  # handed to whoever waits for the result
            self._error = exc

    def result(self) -> str:
        """The file's sha256 (hex); raises what the hashing raised."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._value is not None
        return self._value


def detect_delimiter(sample: str) -> str:
    """The delimiter of a CSV text sample: the one of ``; , TAB |`` that splits the first lines
    into the same number (> 1) of fields most consistently; ``,`` when nothing splits."""
    lines = [ln for ln in sample.splitlines()[:50] if ln.strip()]
    if not lines:
        return ","
    best, best_score = ",", (0, 0)
    for delim in [";", ",", "\t", "|"]:
        with csv_field_limit():
            rows = list(csv.reader(lines, delimiter=delim))
        if not rows:
            continue
        width = len(rows[0])
        if width < 2:
            continue
        consistent = sum(1 for r in rows if len(r) == width)
        score = (consistent, width)
        if score > best_score:
            best, best_score = delim, score
    return best


@contextlib.contextmanager
def csv_field_limit() -> Iterator[None]:
    """Let the csv module read fields of any sane length for the duration of the block."""
    old = csv.field_size_limit(_FIELD_LIMIT)
    try:
        yield
    finally:
        csv.field_size_limit(old)
