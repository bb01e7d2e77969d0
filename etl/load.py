"""One load: a file of a kind through a profile into the warehouse, all or nothing, logged.

Each file is one load and one new published version of the warehouse. A file identical to one
loaded before without quarantined rows is not read again; a file that had quarantined rows is
re-checked (its good rows are skipped as identical, fixed rows may now load). A load_log row is
written for every attempt: loaded, unchanged (the same file was loaded before) or rejected
(the file as a whole is unfit; its data is rolled back, only the log row remains).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl.errors import FileRejected, IvmError, Where
from etl.facts import Counts, load_facts
from etl.kinds.fields import FACT_KINDS
from etl.profile import Profile, load_profile
from etl.readers import FileFacts, inspect_file
from etl.warehouse import Warehouse

#: Loader per kind: (con, facts, kind, profile, load_id, strict, overrides) -> Counts.
Loader = Callable[
    [duckdb.DuckDBPyConnection, FileFacts, str, Profile, int, bool, dict[str, str]], Counts
]
LOADERS: dict[str, Loader] = {kind: load_facts for kind in FACT_KINDS}
#: Run inside the load's write after every successful load (the indicators layer registers the
#: refresh of its results here, so a published warehouse never pairs new data with old results).
AfterLoad = Callable[[duckdb.DuckDBPyConnection], str | None]
AFTER_LOAD: list[AfterLoad] = []


def register_loader(kind: str, loader: Loader) -> None:
    """Register the loader of a kind (areas and plan register themselves like this)."""
    LOADERS[kind] = loader


def register_after_load(hook: AfterLoad) -> None:
    """Run ``hook(con)`` after every successful load, before it is published (once per hook)."""
    if hook not in AFTER_LOAD:
        AFTER_LOAD.append(hook)


@dataclass
class LoadResult:
    """The outcome of one load, as recorded in ``load_log``."""

    load_id: int
    kind: str
    file: str
    outcome: str
    counts: Counts
    error: IvmError | None = None
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for people: what happened to the rows."""
        c = self.counts
        if self.outcome == "unchanged":
            return f"{self.file}: {c.message}"
        if self.outcome == "rejected":
            return f"{self.file}: rejected, nothing loaded"
        text = (
            f"{self.file}: read {c.read}, loaded {c.loaded}, replaced {c.replaced}, "
            f"skipped {c.skipped}, quarantined {c.quarantined} (load {self.load_id})"
        )
        text += f"; {c.message}" if c.message else ""
        return "\n".join([text, *self.notes])


def load_file(
    warehouse: Warehouse,
    kind: str,
    path: str | Path,
    profile: str = "canonical",
    strict: bool = False,
    overrides: dict[str, str] | None = None,
    after: bool = True,
) -> LoadResult:
    """Load one file; raises the FileRejected after logging it when the file is unfit.

    After a successful load the :data:`AFTER_LOAD` hooks run in the same write (unless
    ``after`` is False, e.g. for a batch of loads followed by one refresh).
    """
    _ensure_loaders()
    if kind not in LOADERS:
        raise IvmError(
            "unknown_kind", f"unknown kind '{kind}'", hint=f"one of {', '.join(LOADERS)}"
        )
    path = Path(path)
    if not os.path.lexists(path):  # a link, a folder or a pipe: inspect_file says what it is
        raise IvmError("no_file", "no such file", Where(str(path)))
    prof = load_profile(profile)
    if kind != "plan":
        prof.kind(kind, Where(str(path)))
    facts = inspect_file(path)
    overrides = overrides or {}
    started = dt.datetime.now()
    error: IvmError | None = None
    counts = Counts()
    with warehouse.writing() as con:
        load_id = con.execute("SELECT nextval('load_id_seq')").fetchall()[0][0]
        previous = con.execute(
            "SELECT max(load_id) FROM load_log WHERE sha256 = ? AND kind = ? AND profile = ? "
            "AND outcome = 'loaded' AND rows_quarantined = 0",
            [facts.sha256, kind, prof.name],
        ).fetchall()[0][0]
        if previous is not None and not overrides:
            outcome = "unchanged"
            counts.message = f"identical to load {previous}: nothing to add"
        else:
            con.execute("BEGIN")
            try:
                counts = LOADERS[kind](con, facts, kind, prof, load_id, strict, overrides)
                con.execute("COMMIT")
                outcome = "loaded"
            except FileRejected as exc:
                con.execute("ROLLBACK")
                outcome, error = "rejected", exc
                counts = Counts(message=exc.one_line())
        con.execute(
            "INSERT INTO load_log (load_id, kind, profile, source, file, sha256, rows_read, "
            "rows_loaded, rows_replaced, rows_skipped, rows_quarantined, started_at, "
            "finished_at, outcome, message, cutoff_date) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                load_id, kind, prof.name, _source(prof, kind), str(path.resolve()), facts.sha256,
                counts.read, counts.loaded, counts.replaced, counts.skipped, counts.quarantined,
                started, dt.datetime.now(), outcome, counts.message or None, counts.cutoff,
            ],
        )
        notes = []
        if outcome == "loaded" and after:
            notes = [note for hook in AFTER_LOAD if (note := hook(con))]
    result = LoadResult(load_id, kind, str(path), outcome, counts, error, notes)
    if error is not None:
        raise error
    return result


def _source(profile: Profile, kind: str) -> str:
    kp = profile.kinds.get(kind)
    return kp.source if kp else profile.name


def _ensure_loaders() -> None:
    # The areas loader lives in etl; the plan loader is registered by the composition root.
    if "areas" not in LOADERS:
        from etl.area_load import load_areas

        LOADERS["areas"] = load_areas
