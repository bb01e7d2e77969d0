"""The council workbook's Methode and Bronnen sheets: every indicator's definition, test, status
and suppression rule; the status rules and each objective's method in plain words (the text of
the objective page, :mod:`indicators.method`); the suppression rules; every load, each source's
coverage, the plan version and the open-data credits.
"""

from __future__ import annotations

import re
from typing import Any

import duckdb
from openpyxl.worksheet.worksheet import Worksheet

from core.vocabulary import (
    DIRECTIONS,
    EXCEL_DATETIME,
    EXCEL_INT,
    LOAD_OUTCOMES,
    LOAD_PROFILES,
    PERIOD_TYPES,
    POPULATIONS,
    SOURCE_KINDS,
    TESTS,
    approver,
    number,
    pick,
    status_text,
)
from dashboard.export.council_text import (
    CREDITS,
    CREDITS_NOTE,
    T,
)
from dashboard.export.figures import Figures, public_records
from dashboard.export.release import family, thresholds_for
from dashboard.export.safe import put_text
from dashboard.export.sheet import (
    HEAD_FONT,
    NOTE_FONT,
    SUB_FONT,
    WRAP,
    finish_table,
    plain_number,
    put,
    put_header,
    set_widths,
    title_block,
)
from dashboard.export.suppress import rules
from indicators import (
    SOURCES,
    Exclude,
    Indicator,
    coverage_as_of,
    loads,
    method_sentences,
    source_coverage,
    status_rules,
    stored_as_of,
    test_of,
)


def method_sheet(ws: Worksheet, f: Figures, lang: str) -> None:
    t = T[lang]
    row = title_block(ws, f, lang, t["method"])
    header = row
    put_header(ws, header, t["method_cols"])
    for ind in sorted(f.catalog, key=lambda i: i.id):
        row += 1
        kind = ind.kind
        fam = family(ind)
        th = thresholds_for(ind, f.thresholds)
        test = pick(TESTS, test_of(kind.noise), lang)
        if fam == "count":
            supp = t["rule_count"].format(m=th.min_count - 1)
            status_rule = t["status_rule_count"].format(t=test)
        elif fam == "open":
            supp = t["rule_none"]
            status_rule = (t["no_minimum"] if ind.min_n <= 0 else t["status_rule"]).format(
                n=ind.min_n, t=test)
        else:
            supp = t["rule_neff"].format(n=plain_number(th.min_neff))
            status_rule = t["status_rule"].format(n=ind.min_n, t=test)
        text = (lambda x: x.nl) if lang == "nl" else (lambda x: x.en)
        doc = kind.description(lang)
        definition = f"{text(ind.numerator)}; {kind.title(lang)}: {doc}"
        if ind.description:
            definition = f"{text(ind.description)} {definition}"
        denominator = text(ind.denominator) if ind.denominator else None
        if ind.population:
            per = (f"per {number(ind.factor or 1, 0, lang)} "
                   f"{pick(POPULATIONS, ind.population, lang)}")
            denominator = f"{denominator}; {per}" if denominator else per
        values = [ind.id, text(ind.title), text(ind.unit),
                  f"{ind.source} ({SOURCES[ind.source].description.get(lang, '')})",
                  kind.title(lang), definition, denominator,
                  _filters(ind, lang) or t["no_filters"], pick(DIRECTIONS, ind.direction, lang),
                  _known(PERIOD_TYPES, ind.period, lang), test, ind.min_n,
                  status_rule,
                  supp]
        for col, v in enumerate(values, start=1):
            put(ws, row, col, v).alignment = WRAP
    last_table_row = row
    row += 2
    put_text(ws.cell(row=row, column=1), t["status_rules"]).font = SUB_FONT
    for label, text_ in status_rules(lang):
        row += 1
        put_text(ws.cell(row=row, column=1), label).font = HEAD_FONT
        put_text(ws.cell(row=row, column=2), text_).alignment = WRAP
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=8)
        ws.row_dimensions[row].height = 15 * max(1, len(text_) // 110 + 1)
    row = _objective_methods(ws, f, row + 2, lang)
    row += 2
    put_text(ws.cell(row=row, column=1), t["suppression_rules"]).font = SUB_FONT
    row += 1
    put_text(ws.cell(row=row, column=1), t["thresholds"].format(
        c=f.thresholds.min_count, n=plain_number(f.thresholds.min_neff)))
    for sentence in rules(f.thresholds, lang):
        row += 1
        put_text(ws.cell(row=row, column=1), sentence).alignment = WRAP
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=8)
        ws.row_dimensions[row].height = 15 * max(1, len(sentence) // 120 + 1)
    set_widths(ws, [26, 30, 16, 22, 11, 50, 26, 30, 8, 8, 24, 9, 30, 30])
    finish_table(ws, header, len(t["method_cols"]), last_table_row, freeze_col=2)


def _filters(ind: Indicator, lang: str) -> str:
    """The indicator's filters in ``lang``; the values from the data quoted as stored."""
    t = T[lang]

    def quoted(values) -> str:
        return t["or"].join(f'"{v}"' for v in values)

    parts = [t["filter_not_in" if isinstance(spec, Exclude) else "filter_in"].format(
                 col=col, values=quoted(spec.not_ if isinstance(spec, Exclude) else spec))
             for col, spec in ind.filters.items()]
    if ind.event:
        parts.append(t["filter_event"].format(e=f'"{ind.event}"'))
    if ind.question:
        parts.append(t["filter_question"].format(q=ind.question) + (
            ", " + t["filter_counts"].format(a=quoted(ind.counts)) if ind.counts else ""))
    return "; ".join(parts)


def _known(table: dict, key: str | None, lang: str) -> str | None:
    """``key`` in ``lang`` when the vocabulary knows it, else as stored."""
    return pick(table, key, lang) if key in table else key


def _objective_methods(ws: Worksheet, f: Figures, row: int, lang: str) -> int:
    """Each objective's method in plain words, as its page says it (the public version leaves
    out what its page leaves out); returns the last row written."""
    t = T[lang]
    put_text(ws.cell(row=row, column=1), t["objective_method"]).font = SUB_FONT
    row += 1
    put_header(ws, row, t["objective_method_cols"])
    records = public_records(f) if f.audience == "public" else [o.record for o in f.objectives]
    for o, rec in zip(f.objectives, records, strict=True):
        row += 1
        text = " ".join(method_sentences(rec, o.indicator, lang))
        for col, v in enumerate([rec["id"], rec["area"]["name"] or rec["area"]["id"],
                                 status_text(rec["status"], lang), text], start=1):
            put(ws, row, col, v).alignment = WRAP
        ws.merge_cells(start_row=row, start_column=4, end_row=row, end_column=8)
        ws.row_dimensions[row].height = 15 * max(1, len(text) // 110 + 1)
    return row


def sources_sheet(ws: Worksheet, con: duckdb.DuckDBPyConnection, f: Figures,
                   lang: str) -> None:
    t = T[lang]
    row = title_block(ws, f, lang, t["sources"])
    header = row
    put_header(ws, header, t["load_cols"])
    files = []
    for ld in loads(con, newest_first=False):
        row += 1
        files.append(str(ld["file"]))
        finished = ld["finished_at"]
        values = [ld["load_id"], _known(SOURCE_KINDS, ld["kind"], lang),
                  _known(LOAD_PROFILES, ld["profile"], lang), _file_name(ld["file"]),
                  _known(LOAD_OUTCOMES, ld["outcome"], lang),
                  *(ld[k] for k in ("rows_read", "rows_loaded", "rows_replaced",
                                    "rows_skipped", "rows_quarantined")),
                  ld["cutoff_date"], finished.replace(microsecond=0) if finished else None]
        for col, v in enumerate(values, start=1):
            cell = put(ws, row, col, v, EXCEL_INT)
            if col == 12 and v is not None:
                cell.number_format = EXCEL_DATETIME
    last_loads = row
    row += 2
    put_text(ws.cell(row=row, column=1), t["cov_title"]).font = SUB_FONT
    row += 1
    put_header(ws, row, t["cov_cols"])
    for kind, start, cutoff, rows in _coverage(con, f):
        row += 1
        desc = SOURCES[kind].description.get(lang) if kind in SOURCES else None
        for col, v in enumerate([_known(SOURCE_KINDS, kind, lang), desc, start, cutoff, rows],
                                start=1):
            put(ws, row, col, v, EXCEL_INT)
    row += 2
    put_text(ws.cell(row=row, column=1), t["plan_title"]).font = SUB_FONT
    row += 1
    put_header(ws, row, t["plan_cols"])
    if f.plan:
        row += 1
        p = f.plan
        for col, v in enumerate([p["version"], p["title"], p["approved_on"],
                                 approver(p["approved_by"], lang), p["objectives"]], start=1):
            put(ws, row, col, v, EXCEL_INT)
    row += 2
    put_text(ws.cell(row=row, column=1), t["credits_title"]).font = SUB_FONT
    row += 1
    put_header(ws, row, t["credits_cols"])
    for folder, data, credit, licence in CREDITS:
        row += 1
        used = any(f"/{folder}/" in p.replace("\\", "/") for p in files)
        for col, v in enumerate([data[lang], credit, licence, t["yes"] if used else t["no"]],
                                start=1):
            put(ws, row, col, v).alignment = WRAP
    row += 1
    put_text(ws.cell(row=row, column=1), CREDITS_NOTE[lang]).font = NOTE_FONT
    set_widths(ws, [22, 40, 22, 30, 10, 12, 10, 10, 12, 13, 12, 16])
    finish_table(ws, header, len(t["load_cols"]), last_loads)


def _file_name(path: Any) -> str | None:
    """The file's name without the folders (they say nothing to the council)."""
    if path is None:
        return None
    return re.split(r"[\\/]", str(path))[-1]


def _coverage(con: duckdb.DuckDBPyConnection, f: Figures) -> list[tuple]:
    stored = stored_as_of(con)
    if stored is not None and f.as_of == stored:
        return source_coverage(con)
    cov = coverage_as_of(con, f.as_of)
    return [(c.kind, c.data_start, c.cutoff, c.rows) for _, c in sorted(cov.items())]


__all__ = ["method_sheet", "sources_sheet"]
