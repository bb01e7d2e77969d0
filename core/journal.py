"""A journal of records waiting to be written where they belong (a log that cannot be written
now: a full disk, a read-only file system).

Records are JSON lines appended to the first of its files that can be written (next to what
they belong to, else in the temporary folder). Whoever can write the log again takes them in
and then clears exactly what it took: lines appended meanwhile stay.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any


class Journal:
    """Waiting records for one log, identified by the file the log belongs to."""

    def __init__(self, owner: Path, suffix: str):
        key = hashlib.sha256(str(owner.resolve()).encode()).hexdigest()[:16]
        self.files = [owner.with_name(owner.name + suffix),
                      Path(tempfile.gettempdir()) / f"ivmonitor-{key}{suffix}"]

    def append(self, record: dict[str, Any]) -> bool:
        """Add a record to the first file that can be written; False when none can."""
        line = json.dumps(record, default=str, ensure_ascii=False) + "\n"
        for path in self.files:
            try:
                with open(path, "a", encoding="utf-8") as fh:
                    fh.write(line)
                return True
            except OSError:
                continue
        return False

    def read(self) -> tuple[list[dict[str, Any]], dict[Path, int]]:
        """The waiting records (oldest first by their ``at``) and how many bytes of each file
        they came from (for :meth:`clear`)."""
        records: list[dict[str, Any]] = []
        sizes: dict[Path, int] = {}
        for path in self.files:
            try:
                data = path.read_bytes()
            except OSError:
                continue
            sizes[path] = len(data)
            for line in data.decode("utf-8", errors="replace").splitlines():
                with contextlib.suppress(ValueError):
                    records.append(json.loads(line))
        return sorted(records, key=lambda r: str(r.get("at", ""))), sizes

    def clear(self, sizes: dict[Path, int]) -> None:
        """Remove what :meth:`read` returned (the first ``sizes`` bytes of each file)."""
        for path, size in sizes.items():
            with contextlib.suppress(OSError):
                rest = path.read_bytes()[size:]
                if rest:
                    path.write_bytes(rest)
                else:
                    path.unlink()
