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
