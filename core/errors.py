"""One error shape for everything that can go wrong with input.

Every problem has a stable reason ``code``, a ``where`` (file, row, column or field), a message in
plain words and, where there is one, a ``hint`` that says the fix. The CLI prints
``IvmError.one_line()`` and exits 1; quarantine rows use the same reason codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_FORMAT = r"\x7f-\x9f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"
#: Characters that move a terminal's cursor, change its colours or title, reorder the text
#: around them or hide in it: C0 and C1 controls, DEL, bidirectional and zero-width format
#: characters, line and paragraph separators.
CONTROL = re.compile(rf"[\x00-\x1f{_FORMAT}]")
#: :data:`CONTROL` but for the newline and the tab.
_MULTILINE_CONTROL = re.compile(rf"[\x00-\x08\x0b-\x1f{_FORMAT}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, lines: bool = False) -> str:
    """``text`` safe to print on a terminal: every character of :data:`CONTROL` written as an
    escape (``\\x1b``, ``\\u202e``), so text from data can neither drive the terminal nor
    break a line; with ``lines`` newlines and tabs stay."""
    return (_MULTILINE_CONTROL if lines else CONTROL).sub(_escape, text)


@dataclass(frozen=True)
class Where:
    """Where a problem sits: a file and, when they apply, a row, a column or a field path."""

    file: str | None = None
    row: int | None = None
    column: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(Path(self.file).name if len(self.file) > 60 else self.file)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        if self.field is not None:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts)


class IvmError(Exception):
    """A data or user error: reported in one line, exit code 1, never a traceback."""

    def __init__(self, code: str, message: str, where: Where | None = None, hint: str = ""):
        self.code = code
        self.message = message
        self.where = where or Where()
        self.hint = hint
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """The error as the single stderr line the CLI prints."""
        loc = str(self.where)
        text = f"{loc}: {self.message}" if loc else self.message
        if self.hint:
            text += f" ({self.hint})"
        return printable(f"error [{self.code}] {text}")


class FileRejected(IvmError):
    """The file cannot be read as the kind it claims to be; nothing was loaded from it."""


class DeclarationError(IvmError):
    """A profile, plan or other declaration file is invalid. ``problems`` lists all of them."""

    def __init__(self, problems: list[IvmError]):
        self.problems = problems
        first = problems[0]
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        super().__init__(first.code, first.message + more, first.where, first.hint)


class WarehouseError(IvmError):
    """The warehouse file is missing, locked, too old or too new."""


#: What a failing system call or database write means for the person loading, by errno name
#: (or the text DuckDB puts in its message): (code, message).
_SYSTEM = {
    "ENOSPC": ("disk_full", "no space left on the device"),
    "EDQUOT": ("disk_full", "the disk quota is used up"),
    "EFBIG": ("disk_full", "the file may not grow any larger (file size limit)"),
    "EROFS": ("read_only", "the file system is read-only"),
    "EACCES": ("no_permission", "permission denied"),
    "EPERM": ("no_permission", "operation not permitted"),
}
_SYSTEM_TEXT = {
    "No space left on device": "ENOSPC",
    "Disk quota exceeded": "EDQUOT",
    "File too large": "EFBIG",
    "Read-only file system": "EROFS",
    "Permission denied": "EACCES",
}


def system_error(exc: BaseException, where: Where) -> IvmError | None:
    """The one-line error for a failure of the system rather than of the input: a full disk, a
    read-only file system, no permission (an ``OSError`` or a database error that reports
    one), memory running out, nesting deeper than the parser's stack. None for anything else."""
    import errno as errnos

    name = errnos.errorcode.get(getattr(exc, "errno", None) or -1, "")
    text = str(exc)
    if not name:
        name = next((n for t, n in _SYSTEM_TEXT.items() if t in text), "")
    if name in _SYSTEM:
        code, message = _SYSTEM[name]
        path = getattr(exc, "filename", None) or where.file
        return IvmError(code, message, Where(file=str(path)) if path else where,
                        hint="free space or fix the file system, then load again; nothing "
                        "was changed" if code != "no_permission" else
                        "check the rights on the warehouse folder; nothing was changed")
    if isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryException":
        return IvmError("out_of_memory", "the load ran out of memory", where,
                        hint="raise IVM_LOAD_MEMORY or split the file; nothing was changed")
    if isinstance(exc, RecursionError):
        return IvmError("too_deep", "the input is nested too deeply to read", where)
    return None
