"""Load one file of a fact kind (incidents, nuisance, survey, activities, population).

read -> stage (text) -> parse and check (SQL) -> assign areas -> quarantine the bad rows ->
merge the good rows by (source, source_id): new rows are added, changed rows replaced,
identical rows skipped. Writes to the warehouse inside the caller's transaction; the staging
before them (temp tables only) runs outside it. A source's first delivery has nothing to merge
with: a CSV file is then checked and written in one statement (:mod:`etl.direct`).
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field

import duckdb

from core.errors import FileRejected, Where
from core.sqltext import cleaned, ident
from etl.decimals import DecimalEvidence
from etl.delivery import Delivery, month_end
from etl.direct import DirectWrite, nothing_stored, row_hash_sql, stored_columns
from etl.kinds.fields import FACT_KINDS, KindSpec
from etl.profile import KindProfile, Profile
from etl.progress import Progress
from etl.readers import FileFacts, read_table
from etl.readers.base import RawTable, ReadOptions
from etl.stage import (
    CONTENT_ID,
    SKIP,
    Binding,
    Identity,
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
from etl.taxonomy import canonical_values


@dataclass
class Counts:
    """What happened to the rows of one file."""

    read: int = 0
    loaded: int = 0
    replaced: int = 0
    skipped: int = 0
    quarantined: int = 0
    #: Rows stored earlier that this delivery withdrew (see :func:`_withdraw`) or whose load
    #: it replaced (the same file loaded again through another profile).
    removed: int = 0
    #: The period the delivery covers (its cut-off is the last day).
    period_start: dt.date | None = None
    cutoff: dt.date | None = None
    message: str = ""
    #: Lines for the person loading: what they should know although the load succeeded.
    warnings: list[str] = field(default_factory=list)


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
        layer=profile.layer,
        expected_columns=names,
    )


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
    delivery: Delivery,
) -> Counts:
    """Load ``facts.path`` as ``kind``; raise FileRejected when the file as a whole is unfit."""
    spec = FACT_KINDS[kind]
    where = Where(str(facts.path))
    kp = profile.kind(kind, where)
    overrides = dict(delivery.overrides)
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
    evidence = decimal_evidence(profile, raw, spec, bindings)
    raw.batches = evidence.watch(progress.rows(raw.batches))
    key_sql = _key_sql(spec)
    identity = Identity(key_sql, delivery.id_prefix(), delivery.tag(facts.path))
    period = (delivery.period_start, delivery.period_end)
    id_from_content = bindings["source_id"].staged is None if "source_id" in bindings else False
    content_ids = None if key_sql else ("all" if id_from_content else "missing")
    streams = not questions and can_stream(raw, spec, bindings)
    n = None
    direct = None
    if streams and content_ids == "missing" and not delivery.supersedes and nothing_stored(
        con, spec, kp.source
    ):
        # nothing to merge with: the good rows go straight into the fact table, inside the
        # caller's transaction (see etl.direct), unless the file needs the usual load
        direct = DirectWrite(spec, kp.source, load_id, bindings["source_id"].staged)
        prepare_categories(con, spec, kp)
        check_given_category(con, spec, overrides, where)
        n = check_streamed(con, raw, spec, kp, profile, bindings, content_ids, identity,
                           evidence, period, direct=direct)
        if n is None:
            con.execute("ROLLBACK")
            con.execute("BEGIN")
            direct = None
            raw = read_table(facts, read_options(profile, names))
            evidence = decimal_evidence(profile, raw, spec, bindings)
            raw.batches = evidence.watch(progress.rows(raw.batches))
    if n is None:
        n, raw = _check(con, facts, raw, spec, kp, profile, bindings, questions, content_ids,
                        identity, evidence, period, streams, overrides, progress, names)
    counts = Counts(read=n + len(raw.malformed))
    counts.quarantined = quarantine_rows(con, raw, load_id)
    if delivery.strict and counts.quarantined:
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
    counts.skipped = direct.skipped if direct is not None else con.execute(
        "SELECT count(*) FROM checked WHERE skip"
    ).fetchall()[0][0]
    progress.step("merging")
    if direct is not None:  # written already; nothing stored before, so nothing to withdraw
        counts.loaded = direct.stored
        good = f"FROM {ident(spec.table)} WHERE load_id = {int(load_id)}"
        counts.period_start, counts.cutoff = _period(con, spec, kp, delivery, good)
        progress.done()
        return counts
    if delivery.supersedes:
        counts.removed += remove_load_rows(con, spec, delivery.supersedes)
    if content_ids is not None:
        counts.warnings += filter(None, [_twins(con, spec, kp.source, identity.delivery)])
    _merge(con, spec, kp.source, load_id, counts, questions)
    counts.period_start, counts.cutoff = _period(con, spec, kp, delivery)
    if content_ids is not None and spec.date_field:
        counts.removed += _withdraw(con, spec, kp.source, identity.delivery, counts)
    progress.done()
    if kind == "survey":
        _register_questions(con, questions, load_id)
    if kind == "population":
        counts.message = _population_coverage(con)
    return counts


def _check(
    con: duckdb.DuckDBPyConnection,
    facts: FileFacts,
    raw: RawTable,
    spec: KindSpec,
    kp: KindProfile,
    profile: Profile,
    bindings: dict[str, Binding],
    questions: list[Binding],
    content_ids: str | None,
    identity: Identity,
    evidence: DecimalEvidence,
    period: tuple[dt.date | None, dt.date | None],
    streams: bool,
    overrides: dict[str, str],
    progress: Progress,
    names: tuple[str, ...],
) -> tuple[int, RawTable]:
    """Read, parse and check the file into temp table ``checked``: the number of data rows,
    and the file as last read (a streamed file that has to be staged after all is read again).

    The rows are read, parsed and checked into temp tables outside the caller's transaction
    (nothing is written to the warehouse before the quarantine): a temp table dropped outside
    a transaction frees its memory at once, not at commit, so a big file's staging is gone
    before the merge needs the memory. Every write to the warehouse happens inside it again.
    ``streams``: check the file from the reader's stream (a CSV file), else stage it first.
    """
    where = Where(str(facts.path))
    con.execute("COMMIT")
    try:
        prepare_categories(con, spec, kp)
        check_given_category(con, spec, overrides, where)
        n = None
        if streams:
            n = check_streamed(
                con, raw, spec, kp, profile, bindings, content_ids, identity, evidence, period
            )
            if n is None:  # a failing row's raw row is to be looked up, or a column's decimal
                # convention is not what its first rows showed: stage the file after all
                raw = read_table(facts, read_options(profile, names))
                raw.batches = progress.rows(raw.batches)
        if n is None:
            n = stage_raw(con, raw)
            progress.step(f"checking {n:,} rows".replace(",", "."))
            decimals = evidence.decide()
            parsed = parse_rows(con, raw, spec, kp, profile, bindings, decimals, content_ids)
            check_rows(con, raw, spec, kp, profile, bindings, decimals, identity, parsed=parsed,
                       period=period)
        drop_staging(con, raw, keep_raw=bool(questions))
    finally:
        con.execute("BEGIN")
    return n, raw


def decimal_evidence(
    profile: Profile, raw: RawTable, spec: KindSpec, bindings: dict[str, Binding]
) -> DecimalEvidence:
    """The counter of each number column's decimal convention (see :mod:`etl.decimals`). Its
    default is the profile's ``decimal``, or (``auto``) ',' in a ';'-separated file (the
    Belgian export convention), else '.'; a profile that names a separator is taken at its
    word, for every column."""
    declared = profile.decimal != "auto"
    semicolon = raw.details.get("delimiter") == ";"
    default = profile.decimal if declared else ("," if semicolon else ".")
    numeric = [f.name for f in spec.fields if f.type in ("int", "number")]
    if spec.has_area:
        numeric += ["area_lon", "area_lat"]
    columns = {
        name: int(bindings[name].staged[1:])
        for name in numeric if bindings[name].staged is not None
    }
    return DecimalEvidence(columns, default, declared)


def check_given_category(
    con: duckdb.DuckDBPyConnection, spec: KindSpec, overrides: dict[str, str], where: Where
) -> None:
    """Refuse a category given on the command line that is not a category of the kind (nor a
    spelling the profile maps to one), naming the valid ones: otherwise every row would be
    quarantined as an unknown category."""
    field_name = next((f.name for f in spec.fields if f.type == "category"), None)
    given = overrides.get(field_name or "")
    if not given:
        return
    found = con.execute(
        "SELECT canonical FROM catmap WHERE key = lower(?)", [given.strip()]
    ).fetchall()
    if found and found[0][0] != SKIP:
        return
    valid = canonical_values(spec.kind)
    close = difflib.get_close_matches(given.strip().casefold(), valid, n=1, cutoff=0.5)
    raise FileRejected(
        "unknown_category",
        f"--category '{given}' is not a category of {spec.kind}"
        + (f" (did you mean '{close[0]}'?)" if close else ""),
        where,
        hint="valid: " + ", ".join(valid),
    )


def _period(
    con: duckdb.DuckDBPyConnection, spec: KindSpec, kp: KindProfile, delivery: Delivery,
    good: str = "FROM checked WHERE len(reasons) = 0 AND NOT skip",
) -> tuple[dt.date | None, dt.date | None]:
    """The period the delivery covers: as declared, else from its first to its last good row
    (``good``: SQL from which they are selected); dates of month precision (the profile says
    so, or every date is the first of a month at midnight) cover their whole month."""
    start, end = delivery.period_start, delivery.period_end
    if spec.date_field is None or (start and end):
        return start, end
    date = ident(spec.date_field)
    first, last, n, monthly = con.execute(
        f"SELECT min(CAST({date} AS DATE)), max(CAST({date} AS DATE)), count({date}), "
        f"coalesce(bool_and(day({date}) = 1 "
        f"AND CAST(CAST({date} AS TIMESTAMP) AS TIME) = TIME '00:00'), false) {good}"
    ).fetchall()[0]
    if first is None:
        return start, end
    if kp.date_precision == "month" or (kp.date_precision == "auto" and monthly and n >= 2):
        first, last = first.replace(day=1), month_end(last)
    return start or first, end or last


def _withdraw(
    con: duckdb.DuckDBPyConnection, spec: KindSpec, source: str, tag: str, counts: Counts
) -> int:
    """Remove the rows an earlier delivery of the same file name (and category given) stored
    without an id, within the period this one covers, that this one no longer holds: a
    corrected file replaces its predecessor instead of adding to it (rows with an id are
    replaced by their id)."""
    if counts.period_start is None or counts.cutoff is None:
        return 0
    table = ident(spec.table)
    date = ident(spec.date_field or "")
    prefix = tag + CONTENT_ID
    # only this delivery's content ids can match (a delivery with ids holds none of them)
    return con.execute(
        f"DELETE FROM {table} WHERE source = ? AND starts_with(source_id, ?) "
        f"AND CAST({date} AS DATE) BETWEEN ? AND ? "
        "AND source_id NOT IN (SELECT source_id FROM checked WHERE starts_with(source_id, ?))",
        [source, prefix, counts.period_start, counts.cutoff, prefix],
    ).fetchall()[0][0]


def _twins(
    con: duckdb.DuckDBPyConnection, spec: KindSpec, source: str, tag: str
) -> str | None:
    """A warning when rows of this delivery without an id are identical to rows stored from
    another delivery of the same source (another file name): both count, which is right for
    two files that each hold such a row, and wrong for a renamed re-delivery."""
    table = ident(spec.table)
    start = len(tag) + len(CONTENT_ID) + 1
    n, loads = con.execute(
        f"""
        SELECT count(*), list(DISTINCT t.load_id ORDER BY t.load_id)
        FROM checked c JOIN {table} t
          ON t.source = ? AND substr(t.source_id, {start}) = substr(c.source_id, {start})
         AND NOT starts_with(t.source_id, ?) AND t.source_id[{start - 1}] = ?
        WHERE len(c.reasons) = 0 AND NOT c.skip AND starts_with(c.source_id, ?)
        """,
        [source, tag + CONTENT_ID, CONTENT_ID, tag + CONTENT_ID],
    ).fetchall()[0]
    if not n:
        return None
    files = con.execute(
        "SELECT DISTINCT coalesce(json_extract_string(options, '$.delivery'), "
        "regexp_replace(file, '^.*/', '')) FROM load_log WHERE load_id IN (SELECT unnest(?))",
        [loads],
    ).fetchall()
    names = ", ".join(sorted(f"'{f}'" for (f,) in files))
    shown = ", ".join(map(str, loads[:5])) + (" ..." if len(loads) > 5 else "")
    return (f"warning: {n} row(s) without an id are identical to rows loaded from {names} "
            f"(load {shown}); both are counted. If this file replaces that one, load it with "
            f"--delivery {files[0][0]!r}")


def remove_load_rows(
    con: duckdb.DuckDBPyConnection, spec: KindSpec, load_ids: tuple[int, ...]
) -> int:
    """Remove the rows the loads ``load_ids`` stored (and their survey answers); returns how
    many rows were removed."""
    table = ident(spec.table)
    ids = list(load_ids)
    if spec.kind == "survey":
        con.execute(
            "DELETE FROM survey_answer a USING survey_response r WHERE r.source = a.source "
            "AND r.source_id = a.source_id AND r.load_id IN (SELECT unnest(?))",
            [ids],
        )
    return con.execute(
        f"DELETE FROM {table} WHERE load_id IN (SELECT unnest(?))", [ids]
    ).fetchall()[0][0]


def _key_sql(spec: KindSpec) -> str | None:
    """SQL of the natural key of a kind whose rows are not identified by an id column:
    population and day population by area and year; a survey respondent by wave and id (a new
    wave may reuse the ids of an earlier one)."""
    if spec.kind in ("population", "day_population"):
        return "p.code_area_id || ':' || CAST(p.year AS VARCHAR)"
    if spec.kind == "survey":
        return "p.wave || ':' || p.raw_source_id"
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
    cols = stored_columns(spec)
    hashed = [f"c.{ident(c)}" for c in cols]
    if questions:  # the answers as one text: one short expression, however many questions
        texts = ", ".join(f"coalesce(s.{ident(q.staged)}, '')" for q in questions)
        hashed.append(f"concat_ws(chr(31), {texts})")
    row_hash = row_hash_sql(hashed)
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
        # one pass over the respondents, each turned into a row per question (a UNION of a
        # scan per question held a join per question in memory: gigabytes for 1,000 columns)
        answers = ", ".join(f"s.{ident(q.staged)} AS {ident(q.field)}" for q in questions)
        con.execute(
            "INSERT INTO survey_answer (source, source_id, question_id, answer) "
            f"SELECT ?, source_id, question_id, {cleaned('answer')} FROM "
            f"(SELECT c.source_id AS source_id, {answers} {good}{unchanged}) "
            "UNPIVOT INCLUDE NULLS (answer FOR question_id IN (COLUMNS(* EXCLUDE (source_id))))",
            [source],
        )


def _register_questions(
    con: duckdb.DuckDBPyConnection, questions: list[Binding], load_id: int
) -> None:
    if questions:
        con.execute(
            "INSERT INTO survey_question (question_id, text_nl, text_en, load_id) "
            "SELECT q, q, NULL, ? FROM unnest(?::VARCHAR[]) AS t(q) ON CONFLICT DO NOTHING",
            [load_id, [q.field for q in questions]],
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
