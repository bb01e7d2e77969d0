"""A progress line on a terminal for loads that take more than a moment; silent otherwise."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator

import pyarrow as pa

from core.errors import printable


class Progress:
    """Writes ``file: step, N rows`` over one stderr line, only on a TTY and after 0.5 s."""

    def __init__(self, label: str, stream=None):
        self.label = printable(label)  # a file name can carry escape sequences
        self.stream = stream or sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.monotonic()
        self.shown = False

    def step(self, text: str) -> None:
        """Show the current step, once the load has taken longer than half a second."""
        if not self.enabled or time.monotonic() - self.start < 0.5:
            return
        self.stream.write(f"\r\033[K{self.label}: {text}")
        self.stream.flush()
        self.shown = True

    def rows(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """Pass batches through, counting rows on the progress line."""
        n = 0
        for batch in batches:
            n += batch.num_rows
            self.step(f"reading, {n:,} rows".replace(",", "."))
            yield batch

    def done(self) -> None:
        """Clear the progress line."""
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
