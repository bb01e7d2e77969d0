"""The catalogue that travels with the warehouse.

An analyst adds an indicator with one YAML file in a copy of the catalogue folder
(``--catalog``/``IVM_CATALOG``), or with ``ivm indicators add FILE``. Either way the declaration
is recorded in the warehouse (``catalog_indicator``) as soon as results are computed with it,
so every later refresh computes it too, with or without the folder: a refresh never drops an
indicator because the folder was not given. The catalogue a warehouse uses is its folder's (the
built-in one by default) plus the recorded declarations the folder does not hold; a folder's
declaration of the same id wins and is recorded anew. A file that is not valid refuses the
refresh, and with it the load it follows: the previous results stay.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from importlib import resources
from pathlib import Path

import duckdb

from core.errors import DeclarationError, IvmError, Where
from indicators.catalog import (
    Catalog,
    indicator_files,
    load_catalog,
    parse_indicator,
    parse_indicator_text,
)

_TABLE_EXISTS = ("SELECT count(*) FROM information_schema.tables "
                 "WHERE table_name = 'catalog_indicator'")


def builtin_folder() -> Path:
    """The built-in catalogue folder."""
    return Path(str(resources.files("indicators").joinpath("catalog")))


def recorded(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    """The declarations recorded in the warehouse: id -> (indicator, YAML text, file)."""
    if not con.execute(_TABLE_EXISTS).fetchall()[0][0]:
        return {}
    out: dict[str, tuple] = {}
    problems: list[IvmError] = []
    for ind_id, text, file in con.execute(
        "SELECT indicator_id, yaml, file FROM catalog_indicator ORDER BY indicator_id"
    ).fetchall():
        ind, errs = parse_indicator_text(text, f"{file} (recorded in the warehouse)", ind_id)
        problems.extend(errs)
        if ind is not None:
            out[ind_id] = (ind, text, file)
    if problems:
        raise DeclarationError([IvmError(
            p.code, p.message, p.where,
            hint="`ivm indicators remove ID` forgets it, `ivm indicators add FILE` records a "
            "corrected one") for p in problems])
    return out


def effective_catalog(
    con: duckdb.DuckDBPyConnection | None, folder: Path | None = None,
    catalog: Catalog | None = None,
) -> Catalog:
    """The catalogue a warehouse uses: ``catalog``, else the folder's (``IVM_CATALOG`` or
    built-in by default), and the recorded declarations it does not hold."""
    catalog = catalog or load_catalog(folder)
    if con is None:
        return catalog
    extra = {i: r[0] for i, r in recorded(con).items() if i not in catalog.indicators}
    return Catalog(catalog.folder, {**catalog.indicators, **extra})


def record_folder(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> list[str]:
    """Record (inside a write) every declaration of a catalogue folder other than the built-in
    one that the built-in catalogue does not hold word for word; returns the ids recorded."""
    if catalog.folder.resolve() == builtin_folder().resolve():
        return []
    builtin = {p.stem: p.read_text(encoding="utf-8") for p in indicator_files(builtin_folder())}
    files = [p for p in indicator_files(catalog.folder) if p.stem in catalog.indicators]
    return _record(con, [(p, p.read_text(encoding="utf-8")) for p in files
                         if builtin.get(p.stem) != p.read_text(encoding="utf-8")])


def add_files(con: duckdb.DuckDBPyConnection, paths: list[Path]) -> list[str]:
    """Validate and record declaration files (inside a write); DeclarationError lists every
    problem of every file, and nothing is recorded then."""
    problems: list[IvmError] = []
    good = []
    for path in paths:
        if not path.is_file():
            problems.append(IvmError("no_file", "no such file", Where(str(path))))
            continue
        ind, errs = parse_indicator(path)
        problems.extend(errs)
        if ind is not None:
            good.append((path, path.read_text(encoding="utf-8")))
    if problems:
        raise DeclarationError(problems)
    return _record(con, good)


def remove(con: duckdb.DuckDBPyConnection, ids: list[str]) -> None:
    """Forget recorded declarations (inside a write); IvmError naming an id not recorded."""
    known = {i for (i,) in con.execute("SELECT indicator_id FROM catalog_indicator").fetchall()}
    for ind_id in ids:
        if ind_id not in known:
            raise IvmError("unknown_indicator", f"indicator '{ind_id}' is not recorded in the "
                           "warehouse", hint="recorded: " + (", ".join(sorted(known)) or
                                                             "(none)"))
    con.execute("DELETE FROM catalog_indicator WHERE indicator_id IN (SELECT unnest(?))", [ids])


def _record(con: duckdb.DuckDBPyConnection, files: list[tuple[Path, str]]) -> list[str]:
    now = dt.datetime.now()
    changed = []
    stored = dict(con.execute("SELECT indicator_id, sha256 FROM catalog_indicator").fetchall())
    for path, text in files:
        digest = hashlib.sha256(text.encode()).hexdigest()
        if stored.get(path.stem) == digest:
            continue
        con.execute("INSERT OR REPLACE INTO catalog_indicator VALUES (?, ?, ?, ?, ?)",
                    [path.stem, text, str(path.resolve()), digest, now])
        changed.append(path.stem)
    return changed
