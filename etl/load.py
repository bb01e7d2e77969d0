"""One load: a file of a kind through a profile into the warehouse, all or nothing, logged.

Each file is one load and one new published version of the warehouse. A file identical to one
loaded before without quarantined rows adds nothing (from a path loaded before, it is not even
checked: see _apply); a file that had quarantined rows is re-checked (its good rows are skipped
as identical, fixed rows may now load). A load_log row is written for every attempt: loaded,
unchanged (the same file was loaded before) or rejected (the file as a whole is unfit; its
data is rolled back, only the log row remains).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import pyarrow as pa

from core.errors import FileRejected, IvmError, Where, system_error
from core.settings import setting
from core.warehouse import Warehouse
from etl.delivery import Delivery
from etl.facts import Counts, load_facts
from etl.failures import (
    add_pending,
    clear_pending,
    mark_attempt,
    record_failure,
    unmark_attempt,
)
from etl.kinds.fields import FACT_KINDS
from etl.profile import Profile, load_profile
from etl.readers import FileFacts, inspect_file
from etl.readers.gzipped import stated_size
from etl.readers.sniff import FileDigest

#: Loader per kind: (con, facts, kind, profile, load_id, delivery) -> Counts.
Loader = Callable[[duckdb.DuckDBPyConnection, FileFacts, str, Profile, int, Delivery], Counts]
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
        removed = f", removed {c.removed}" if c.removed else ""
        text = (
            f"{self.file}: read {c.read}, loaded {c.loaded}, replaced {c.replaced}, "
            f"skipped {c.skipped}, quarantined {c.quarantined}{removed} (load {self.load_id})"
        )
        text += f"; {c.message}" if c.message else ""
        return "\n".join([text, *self.notes])


#: Files of up to this many bytes (unpacked, for gzip) are loaded with Arrow's memory from the
#: C library's allocator, larger ones with Arrow's default (see :func:`_arrow_memory_for`).
SMALL_FILE_BYTES = 256 * 2**20
#: Arrow's default memory pool as it was when this was imported: the mimalloc pyarrow brings,
#: unless ``ARROW_DEFAULT_MEMORY_POOL`` named another.
_ARROW_DEFAULT = pa.default_memory_pool()


def _arrow_memory_for(path: Path) -> None:
    """Take the Arrow memory of a load of ``path`` from the C library's allocator when the file
    is small, from Arrow's default (mimalloc, or the allocator ``ARROW_DEFAULT_MEMORY_POOL``
    named when this was imported) when it is large. Measured in new processes, as each
    ``ivm load`` is (bench/RESULTS.md, 2026-12-05): a city's 23 MB CSV file loaded in
    0.37-0.39 s with the C library's allocator against 0.43 s with mimalloc; a 230 MB file took
    the same time with either; a national 1.1 GB file took 11.6 s against 10.9 s. Arrow memory
    taken before goes back to the pool it came from."""
    pa.set_memory_pool(
        pa.system_memory_pool() if _data_bytes(path) <= SMALL_FILE_BYTES else _ARROW_DEFAULT
    )


def _data_bytes(path: Path) -> int:
    """The bytes a reader parses from ``path``: its size, or for a gzip file the larger of that
    and the unpacked size its trailer states (which may be less than the truth beyond 4 GiB:
    that only costs speed). 0 when the file cannot be opened (the load then says why)."""
    try:
        return max(path.stat().st_size, stated_size(path) or 0)
    except (OSError, IvmError):
        return 0


def load_file(
    warehouse: Warehouse,
    kind: str,
    path: str | Path,
    profile: str = "canonical",
    strict: bool = False,
    overrides: dict[str, str] | None = None,
    after: bool = True,
    *,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    reapply: bool = False,
    delivery_name: str | None = None,
) -> LoadResult:
    """Load one file; raises the FileRejected after logging it when the file is unfit.

    ``overrides`` give a field's value for every row (``category`` of a one-type extract,
    ``level`` of an area file); ``period_start``/``period_end`` declare the period the file
    covers (default: from its first to its last row); ``delivery_name`` names the delivery
    (default: the file's name; rows without an id are told apart by it); ``reapply`` loads a
    file again that was loaded before unchanged (to undo a later correction). A file loaded
    before as the same kind
    through another profile, or with other overrides, replaces that load's rows (with a
    warning) instead of counting them twice. After a successful load the :data:`AFTER_LOAD`
    hooks run in the same write (unless ``after`` is False, e.g. for a batch of loads followed
    by one refresh).

    Every attempt that fails is in ``load_log`` (see :mod:`etl.failures`) and comes out as one
    :class:`IvmError`: a failure of the system (a full disk, a read-only file system, memory)
    says so, anything else unforeseen as ``internal_error``.
    """
    _arrow_memory_for(Path(path))
    started = dt.datetime.now()
    attempt = {"kind": kind, "profile": str(profile), "file": str(Path(path).resolve()),
               "started_at": started}
    try:
        delivery = Delivery(dict(overrides or {}), strict, period_start, period_end, reapply,
                            delivery_name)
        return _load_file(warehouse, kind, Path(path), profile, after, delivery, attempt)
    except IvmError as exc:
        if getattr(exc, "logged", False):
            raise
        error = exc
    except Exception as exc:  # a failure of the system, or a fault of this program
        error = system_error(exc, Where(str(path))) or IvmError(
            "internal_error", f"{type(exc).__name__}: {str(exc)[:300]}", Where(str(path)),
            hint="nothing was changed; please report this with the file (IVM_DEBUG=1 shows "
            "where)")
        if setting("debug") == "1":
            raise
    attempt["finished_at"] = dt.datetime.now()
    _settle_digest(attempt)
    note = record_failure(warehouse, attempt, error)
    if note:
        error.hint = f"{error.hint}; {note}" if error.hint else note
    raise error from None


def _load_file(
    warehouse: Warehouse, kind: str, path: Path, profile: str, after: bool, delivery: Delivery,
    attempt: dict,
) -> LoadResult:
    """load_file's work; ``attempt`` collects what load_log is to say should it fail."""
    _ensure_loaders()
    if kind not in LOADERS:
        raise IvmError(
            "unknown_kind", f"unknown kind '{kind}'", hint=f"one of {', '.join(LOADERS)}"
        )
    if not os.path.lexists(path):  # a link, a folder or a pipe: inspect_file says what it is
        raise IvmError("no_file", "no such file", Where(str(path)))
    start, end = delivery.period_start, delivery.period_end
    if start and end and end < start:
        raise IvmError(
            "bad_period", f"the period ends ({end}) before it starts ({start})", Where(str(path))
        )
    prof = load_profile(profile)
    attempt.update(profile=prof.name)
    if kind != "plan":
        prof.kind(kind, Where(str(path)))
        attempt.update(source=_source(prof, kind))
    # the file's sha256 is computed beside the inspection and the load (see _apply)
    digest = attempt["_digest"] = FileDigest(path)
    facts = inspect_file(path, digest=False)
    started = attempt["started_at"]
    with warehouse.writing() as con:
        consumed = add_pending(con, warehouse)
        load_id = con.execute("SELECT nextval('load_id_seq')").fetchall()[0][0]
        try:
            marked = {**attempt, "load_id": load_id}
            del marked["_digest"]
            # a fact file from a new path is loaded while it is hashed (see _apply)
            speculate = kind in FACT_KINDS and not _path_seen(con, kind, path)
            known = None if speculate else digest.result()
            mark_attempt(warehouse, {**marked, "sha256": known})
            outcome, counts, error, notes, sha256 = _apply(
                con, facts, known, digest, kind, prof, load_id, delivery)
            attempt["sha256"] = sha256
            if known is None:
                mark_attempt(warehouse, {**marked, "sha256": sha256})
            con.execute(
                "INSERT INTO load_log (load_id, kind, profile, source, file, sha256, rows_read, "
                "rows_loaded, rows_replaced, rows_skipped, rows_quarantined, rows_removed, "
                "started_at, finished_at, outcome, message, period_start, cutoff_date, options) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    load_id, kind, prof.name, _source(prof, kind), str(path.resolve()),
                    sha256, counts.read, counts.loaded, counts.replaced, counts.skipped,
                    counts.quarantined, counts.removed, started, dt.datetime.now(), outcome,
                    "; ".join(filter(None, [counts.message, *notes])) or None,
                    counts.period_start, counts.cutoff, delivery.options(),
                ],
            )
            if outcome == "loaded" and after:
                notes += [note for hook in AFTER_LOAD if (note := hook(con))]
        except BaseException:
            unmark_attempt(warehouse)  # the failure is recorded by the caller
            raise
    unmark_attempt(warehouse, locked=False)
    clear_pending(warehouse, consumed)
    result = LoadResult(load_id, kind, str(path), outcome, counts, error, notes)
    if error is not None:
        error.logged = True  # type: ignore[attr-defined]  (in load_log as 'rejected')
        raise error
    return result


def _path_seen(con: duckdb.DuckDBPyConnection, kind: str, path: Path) -> bool:
    """Whether a file of this path was loaded (or tried) as ``kind`` before."""
    return con.execute(
        "SELECT count(*) FROM (SELECT 1 FROM load_log WHERE kind = ? AND file = ? LIMIT 1)",
        [kind, str(path.resolve())],
    ).fetchall()[0][0] > 0


def _apply(
    con: duckdb.DuckDBPyConnection, facts: FileFacts, sha256: str | None, digest: FileDigest,
    kind: str, prof: Profile, load_id: int, delivery: Delivery,
) -> tuple[str, Counts, FileRejected | None, list[str], str]:
    """Load the file into the write unless it is the same file, loaded before the same way:
    (outcome, counts, the rejection of an unfit file, notes for the person loading, the file's
    sha256).

    Whether it is, and whether it was loaded before another way, the file's sha256 tells.
    A file from a path never loaded before is most likely new: it is loaded while its sha256
    is computed (``sha256`` None; ``digest`` computes it), and only if the sha256 then matches
    an earlier load is the write rolled back and the file applied again, knowing it (the same
    content under another name). A path loaded before has its sha256 first (``sha256``): a
    file loaded again unchanged is hashed and inspected, never checked.
    """
    if sha256 is not None:
        return (*_apply_known(con, sha256, facts, kind, prof, load_id, delivery), sha256)
    con.execute("BEGIN")
    try:
        counts = LOADERS[kind](con, facts, kind, prof, load_id, delivery)
    except FileRejected as exc:
        con.execute("ROLLBACK")
        sha256 = digest.result()
        if _earlier_loads(con, sha256, kind):
            return (*_apply_known(con, sha256, facts, kind, prof, load_id, delivery), sha256)
        return "rejected", Counts(message=exc.one_line()), exc, [], sha256
    sha256 = digest.result()
    if _earlier_loads(con, sha256, kind):
        con.execute("ROLLBACK")
        return (*_apply_known(con, sha256, facts, kind, prof, load_id, delivery), sha256)
    con.execute("COMMIT")
    return "loaded", counts, None, counts.warnings, sha256


def _earlier_loads(con: duckdb.DuckDBPyConnection, sha256: str, kind: str) -> list[tuple]:
    """The loads of a file with this sha256 as ``kind`` before: (load_id, profile, options,
    rows_quarantined), oldest first."""
    return con.execute(
        "SELECT load_id, profile, options, rows_quarantined FROM load_log "
        "WHERE sha256 = ? AND kind = ? AND outcome = 'loaded' ORDER BY load_id",
        [sha256, kind],
    ).fetchall()


def _apply_known(
    con: duckdb.DuckDBPyConnection, sha256: str, facts: FileFacts, kind: str, prof: Profile,
    load_id: int, delivery: Delivery,
) -> tuple[str, Counts, FileRejected | None, list[str]]:
    """_apply of a file whose sha256 is known: (outcome, counts, rejection, notes)."""
    facts = replace(facts, sha256=sha256)
    earlier = _earlier_loads(con, sha256, kind)
    same = [e for e in earlier if e[1] == prof.name and delivery.same_options(e[2])]
    if same and same[-1] == earlier[-1] and same[-1][3] == 0 and not delivery.reapply:
        message = _unchanged(con, same[-1][0], kind, _source(prof, kind))
        return "unchanged", Counts(message=message), None, []
    others = tuple(e[0] for e in earlier if e not in same)
    if others and kind in FACT_KINDS:
        delivery = replace(delivery, supersedes=others)
    con.execute("BEGIN")
    try:
        counts = LOADERS[kind](con, facts, kind, prof, load_id, delivery)
        con.execute("COMMIT")
    except FileRejected as exc:
        con.execute("ROLLBACK")
        return "rejected", Counts(message=exc.one_line()), exc, []
    notes = [_superseded(con, delivery.supersedes)] if delivery.supersedes else []
    return "loaded", counts, None, notes + counts.warnings


def _unchanged(con: duckdb.DuckDBPyConnection, previous: int, kind: str, source: str) -> str:
    """The message of a file loaded before, unchanged: nothing to add, unless later loads of
    the same source changed rows since (then say how to apply it again)."""
    later = con.execute(
        "SELECT count(*) FROM load_log WHERE kind = ? AND source = ? AND load_id > ? "
        "AND outcome = 'loaded' AND rows_loaded + rows_replaced + rows_removed > 0",
        [kind, source, previous],
    ).fetchall()[0][0]
    text = f"identical to load {previous}: nothing to add"
    if later:
        text += (f"; {later} later load(s) of this source changed rows since: load it with "
                 "--reapply to apply it again over them")
    return text


def _superseded(con: duckdb.DuckDBPyConnection, loads: tuple[int, ...]) -> str:
    """The warning of a file that was loaded before through another profile or with other
    options: its rows from those loads were replaced, not counted twice."""
    rows = con.execute(
        "SELECT load_id, profile, coalesce(options, '') FROM load_log "
        "WHERE load_id IN (SELECT unnest(?)) ORDER BY load_id",
        [list(loads)],
    ).fetchall()
    earlier = "; ".join(
        f"load {i} (profile {p}{', ' + o if o else ''})" for i, p, o in rows
    )
    return (f"warning: this file was loaded before as {earlier}; its rows from that load are "
            "replaced by this load, not counted twice")


def _settle_digest(attempt: dict) -> None:
    """Give a failed attempt its file's sha256 for the load log, when it can be had."""
    digest = attempt.pop("_digest", None)
    if digest is not None and not attempt.get("sha256"):
        try:
            attempt["sha256"] = digest.result()
        except Exception:  # the file could not be read: the error says why
            attempt["sha256"] = ""


def _source(profile: Profile, kind: str) -> str:
    kp = profile.kinds.get(kind)
    return kp.source if kp else profile.name


def _ensure_loaders() -> None:
    # The areas and events loaders live in etl; the plan loader is registered by the
    # composition root.
    if "areas" not in LOADERS:
        from etl.area_load import load_areas

        LOADERS["areas"] = load_areas
    if "events" not in LOADERS:
        from etl.event_load import load_events

        LOADERS["events"] = load_events
