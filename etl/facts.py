"""Load one file of a fact kind (incidents, nuisance, survey, activities, population).

read -> stage (text) -> parse and check (SQL) -> assign areas -> quarantine the bad rows ->
merge the good rows by (source, source_id): new rows are added, changed rows replaced,
identical rows skipped. Writes to the warehouse inside the caller's transaction; the staging
before them (temp tables only) runs outside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from core.errors import FileRejected, Where
from core.sqltext import cleaned, ident, lit
from etl.kinds.fields import FACT_KINDS, KindSpec
from etl.profile import KindProfile, Profile
from etl.progress import Progress
from etl.readers import FileFacts, read_table
from etl.readers.base import RawTable, ReadOptions
from etl.stage import (
    Binding,
    bind_fields,
    can_stream,
    check_rows,
    check_streamed,
    drop_staging,
    find_column,
    parse_rows,
    prepare_categories,
    quarantine_rows,
    stage_raw,
)


@dataclass
class Counts:
    """What happened to the rows of one file."""

    read: int = 0
    loaded: int = 0
    replaced: int = 0
    skipped: int = 0
    quarantined: int = 0
    cutoff: object = None
    message: str = ""


def expected_columns(spec_fields: list[str], kp: KindProfile) -> tuple[str, ...]:
    """Source column names the profile expects (helps a reader find the header row)."""
    names: list[str] = []
    for f in spec_fields:
        wanted = kp.columns.get(f, f)
        names.extend([wanted] if isinstance(wanted, str) else wanted)
    if kp.area:
        for w in (kp.area.code, kp.area.longitude, kp.area.latitude):
            if w:
                names.extend([w] if isinstance(w, str) else w)
    return tuple(n.casefold() for n in names)


def read_options(profile: Profile, names: tuple[str, ...]) -> ReadOptions:
    """Reader options from a profile."""
    return ReadOptions(
        encoding=profile.encoding,
        delimiter=profile.delimiter,
        decimal="." if profile.decimal == "auto" else profile.decimal,
        sheet=profile.sheet,
        expected_columns=names,
    )


def with_decimal(profile: Profile, raw: RawTable) -> Profile:
    """The profile with its decimal separator resolved for this file: an explicit one stays;
    ``auto`` is ',' in a ';'-separated file (the Belgian export convention), else '.'."""
    if profile.decimal != "auto":
        return profile
    decimal = "," if raw.details.get("delimiter") == ";" else "."
    return profile.model_copy(update={"decimal": decimal})


def _question_bindings(header: list[str], kp: KindProfile) -> list[Binding]:
    if kp.questions is None:
        return []
    if isinstance(kp.questions, str) and kp.questions.endswith("*"):
        prefix = kp.questions[:-1].casefold()
        cols = [h for h in header if h.casefold().startswith(prefix)]
    else:
        wanted = [kp.questions] if isinstance(kp.questions, str) else kp.questions
        cols = [c for c in (find_column(header, w) for w in wanted) if c]
    return [Binding(c, column=c, staged=f"c{header.index(c)}") for c in cols]


def load_facts(
    con: duckdb.DuckDBPyConnection,
    facts: FileFacts,
    kind: str,
    profile: Profile,
    load_id: int,
    strict: bool,
    overrides: dict[str, str],
) -> Counts:
    """Load ``facts.path`` as ``kind``; raise FileRejected when the file as a whole is unfit."""
    spec = FACT_KINDS[kind]
    kp = profile.kind(kind, Where(str(facts.path)))
    names = expected_columns([f.name for f in spec.fields], kp)
    raw = read_table(facts, read_options(profile, names))
    bindings = bind_fields(raw, spec, kp, overrides)
    questions = _question_bindings(raw.columns, kp) if kind == "survey" else []
    if kind == "survey" and not questions:
        raise FileRejected(
            "missing_column",
            f"no question columns ({kp.questions})",
            Where(str(facts.path), row=raw.first_data_row - 1),
            hint="the file has: " + ", ".join(raw.columns[:30]),
        )
    progress = Progress(facts.path.name)
    raw.batches = progress.rows(raw.batches)
    checked_profile = with_decimal(profile, raw)
    key_sql = _key_sql(spec)
    id_from_content = bindings["source_id"].staged is None if "source_id" in bindings else False
    content_ids = None if key_sql else ("all" if id_from_content else "missing")
    # The rows are read, parsed and checked into temp tables outside the caller's transaction
    # (nothing is written to the warehouse before the quarantine): a temp table dropped outside
    # a transaction frees its memory at once, not at commit, so a big file's staging is gone
    # before the merge needs the memory. Every write to the warehouse happens inside it again.
    con.execute("COMMIT")
    try:
        prepare_categories(con, spec, kp)
        n = None
        if not questions and can_stream(raw, spec, bindings):
            n = check_streamed(
                con, raw, spec, kp, checked_profile, bindings, content_ids, key_sql
            )
            if n is None:  # a failing row's raw row is to be looked up: stage the file after all
                raw = read_table(facts, read_options(profile, names))
                raw.batches = progress.rows(raw.batches)
        if n is None:
            n = stage_raw(con, raw)
            progress.step(f"checking {n:,} rows".replace(",", "."))
            parsed = parse_rows(con, raw, spec, kp, checked_profile, bindings, content_ids)
            check_rows(con, raw, spec, kp, checked_profile, bindings, key_sql, parsed=parsed)
        drop_staging(con, raw, keep_raw=bool(questions))
    finally:
        con.execute("BEGIN")
    counts = Counts(read=n + len(raw.malformed))
    counts.quarantined = quarantine_rows(con, raw, load_id)
    if strict and counts.quarantined:
        first = con.execute(
            "SELECT row_number, reasons FROM quarantine WHERE load_id = ? "
            "ORDER BY row_number LIMIT 1",
            [load_id],
        ).fetchall()[0]
        raise FileRejected(
            "strict",
            f"{counts.quarantined} row(s) failed validation; first: {first[1]}",
            Where(str(facts.path), row=first[0]),
            hint="fix the file, or load without --strict to quarantine those rows",
        )
    counts.skipped = con.execute(
        "SELECT count(*) FROM checked WHERE skip"
    ).fetchall()[0][0]
    progress.step("merging")
    _merge(con, spec, kp.source, load_id, counts, questions)
    progress.done()
    if spec.date_field:
        counts.cutoff = con.execute(
            f"SELECT max(CAST({ident(spec.date_field)} AS DATE)) FROM checked "
            "WHERE len(reasons) = 0 AND NOT skip"
        ).fetchall()[0][0]
    if kind == "survey":
        _register_questions(con, questions, load_id)
    if kind == "population":
        counts.message = _population_coverage(con)
    return counts


def _key_sql(spec: KindSpec) -> str | None:
    if spec.kind == "population":
        return "p.code_area_id || ':' || CAST(p.year AS VARCHAR)"
    return None


def _merge(
    con: duckdb.DuckDBPyConnection,
    spec: KindSpec,
    source: str,
    load_id: int,
    counts: Counts,
    questions: list[Binding],
) -> None:
    """Add new rows, replace changed ones, skip identical ones (by source id and row hash).

    Reads the good rows straight from ``checked`` (no extra copy of the file's rows).
    """
    cols = [f.name for f in spec.fields if f.name != "source_id"]
    if spec.has_area:
        cols.append("area_id")
    # DuckDB's hash of the typed values: four times cheaper than md5 over text; a DuckDB upgrade
    # that changed it would count unchanged rows of a re-delivery as replaced, never lose one
    hashed = [f"c.{ident(c)}" for c in cols]
    hashed += [cleaned(f"s.{ident(q.staged)}") for q in questions]
    row_hash = f"CAST(hash({', '.join(hashed)}) AS VARCHAR)"
    good = (
        "FROM checked c "
        + ("JOIN stage_raw s ON s._row = c._row " if questions else "")
        + "WHERE len(c.reasons) = 0 AND NOT c.skip"
    )
    table = ident(spec.table)
    # only rows whose id is already stored need a comparison (none on a first delivery)
    stored = f"JOIN {table} t ON t.source = ? AND t.source_id = c.source_id WHERE"
    con.execute(
        "CREATE OR REPLACE TEMP TABLE cmp AS SELECT c.source_id, "
        f"t.row_hash = {row_hash} AS same {good.replace('WHERE', stored)}",
        [source],
    )
    total = con.execute(f"SELECT count(*) {good}").fetchall()[0][0]
    same, changed_n = con.execute(
        "SELECT count(*) FILTER (WHERE same), count(*) FILTER (WHERE NOT same) FROM cmp"
    ).fetchall()[0]
    counts.loaded = total - same - changed_n
    counts.replaced = changed_n
    counts.skipped += same
    changed = "SELECT source_id FROM cmp WHERE NOT same"
    if changed_n:
        con.execute(
            f"DELETE FROM {table} WHERE source = ? AND source_id IN ({changed})", [source]
        )
    unchanged = " AND c.source_id NOT IN (SELECT source_id FROM cmp WHERE same)" if same else ""
    inserted = con.execute(
        f"""
        INSERT INTO {table} ({', '.join(map(ident, cols))}, source, source_id, row_hash, load_id)
        SELECT {', '.join(f'c.{ident(c)}' for c in cols)}, ?, c.source_id, {row_hash}, ?
        {good}{unchanged}
        """,
        [source, load_id],
    ).fetchall()[0][0]
    if inserted != counts.loaded + counts.replaced:
        raise RuntimeError(
            f"internal error: {inserted} rows written, {counts.loaded + counts.replaced} expected"
        )
    if questions:
        con.execute(
            f"DELETE FROM survey_answer WHERE source = ? AND source_id IN ({changed})", [source]
        )
        selects = " UNION ALL ".join(
            f"SELECT c.source_id, {lit(q.field)} AS question_id, "
            f"{cleaned('s.' + ident(q.staged))} AS answer {good}{unchanged}"
            for q in questions
        )
        con.execute(
            f"INSERT INTO survey_answer (source, source_id, question_id, answer) "
            f"SELECT ?, source_id, question_id, answer FROM ({selects})",
            [source],
        )


def _register_questions(
    con: duckdb.DuckDBPyConnection, questions: list[Binding], load_id: int
) -> None:
    for q in questions:
        con.execute(
            "INSERT INTO survey_question (question_id, text_nl, text_en, load_id) "
            "VALUES (?, ?, NULL, ?) ON CONFLICT DO NOTHING",
            [q.field, q.field, load_id],
        )


def _population_coverage(con: duckdb.DuckDBPyConnection) -> str:
    """Say which areas of the loaded levels have no population for the loaded years."""
    rows = con.execute(
        """
        WITH loaded AS (
            SELECT DISTINCT a.level, c.year FROM checked c JOIN area a ON a.area_id = c.area_id
            WHERE len(c.reasons) = 0 AND NOT c.skip
        )
        SELECT l.level, l.year, count(*) AS total,
               count(*) FILTER (WHERE p.area_id IS NULL) AS without
        FROM loaded l JOIN area a ON a.level = l.level
        LEFT JOIN population p ON p.area_id = a.area_id AND p.year = l.year
        GROUP BY l.level, l.year ORDER BY l.level, l.year
        """
    ).fetchall()
    notes = [
        f"{without} of {total} {level} areas have no population for {year}"
        for level, year, total, without in rows
        if without
    ]
    return "; ".join(notes)
