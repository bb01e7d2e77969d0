"""The council workbook: the plan's progress as the city council receives it (``.xlsx``).

``ivm export council`` and the dashboard's export page both call
:func:`write_council_workbook`, which writes to a path or to a binary buffer (a Dash
``dcc.send_bytes`` download). Sheets:

- **Samenvatting**: per phase of the safety chain, one row per objective and area: id, title,
  owner, partners, indicator, area, baseline (value, period), target, deadline, current value
  and its period, status as symbol and text, the one-line reason, the date the data runs to;
- **one sheet per phase**: every objective's yearly values with intervals, baseline and target,
  and a native Excel line chart per objective (value, baseline, target);
- **Wijken**: the plan's indicators per wijk and year, the part assigned to no wijk, the city,
  and (for counts, rates and sums) the total over the years;
- **Veiligheidsindex**: crime, nuisance and feeling unsafe per wijk on one scale, city = 100,
  with each part and the index's interval (:mod:`dashboard.export.index_sheet`);
- **Methode**: every indicator of the catalogue (definition, source, denominator, test, status
  and suppression rule), the status rules, each objective's method in plain words (the text
  of the objective page, :mod:`indicators.method`) and the suppression rules;
- **Bronnen**: every load with its cut-off date and row counts, each source's coverage, the plan
  version and its council approval, the open-data credits.

Every figure is read from the stored results through the indicators layer (the status records
of ``ivm status --format json``, :func:`indicators.results.series` and the stored yearly
values), so the workbook, the CLI and the dashboard cannot differ. The same warehouse and as-of
date give the same bytes. Every value has the Excel number format of its measure kind's value
style and every word of the domain comes from the one vocabulary (:mod:`core.vocabulary`), so a
figure reads the same here as on the dashboard. With ``audience="public"`` small numbers are
suppressed
(:mod:`dashboard.export.suppress`) and every text from data is written by
:func:`dashboard.export.safe.put_text`, so Excel never evaluates it.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import IO, Any

import duckdb
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference, Series
from openpyxl.chart.marker import Marker
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.errors import IvmError
from core.vocabulary import (
    AMOUNT,
    FIELDS,
    PHASES,
    SERIES_KINDS,
    STATUSES,
    date,
    pick,
    status_text,
)
from core.workbook import save_reproducible
from dashboard.export.council_method import method_sheet, sources_sheet
from dashboard.export.council_text import (
    CREDITS,
    DETAIL_FIELDS,
    LANGS,
    SUMMARY_FIELDS,
    T,
)
from dashboard.export.figures import Figures, council_figures
from dashboard.export.index_sheet import index_sheet
from dashboard.export.index_sheet import title as index_title
from dashboard.export.release import ObjectiveFigures
from dashboard.export.safe import put_text
from dashboard.export.sheet import (
    HEAD_FONT,
    LINE,
    NOTE_FONT,
    STATUS_FILL,
    WRAP,
    column_names,
    date_of,
    finish_table,
    plain_number,
    put,
    put_header,
    put_value,
    set_widths,
    title_block,
    value_format,
)
from dashboard.export.suppress import Thresholds
from indicators import (
    Catalog,
)

# --------------------------------------------------------------------------------------------
# The workbook


def write_council_workbook(
    con: duckdb.DuckDBPyConnection, path_or_buffer: str | Path | IO[bytes],
    as_of: dt.date | None = None, audience: str = "internal", lang: str = "nl",
    catalog: Catalog | None = None, thresholds: Thresholds | None = None,
) -> None:
    """Write the council workbook to a path or a binary buffer (same content, same bytes)."""
    if lang not in LANGS:
        raise IvmError("bad_lang", f"unknown language '{lang}'", hint="nl or en")
    figures = council_figures(con, as_of, audience, catalog, thresholds)
    wb = build_workbook(con, figures, lang)
    stamp = dt.datetime.combine(figures.as_of, dt.time(0, 0))
    if isinstance(path_or_buffer, str | Path):
        path = Path(path_or_buffer)
        save_reproducible(wb, path.resolve(), stamp)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "council.xlsx"
        save_reproducible(wb, path, stamp)
        path_or_buffer.write(path.read_bytes())


def build_workbook(con: duckdb.DuckDBPyConnection, figures: Figures, lang: str) -> Workbook:
    """The workbook of ``figures`` (not yet saved)."""
    t = T[lang]
    wb = Workbook()
    ws = wb.active
    ws.title = t["summary"]
    _summary_sheet(ws, figures, lang)
    for phase in PHASES:
        objs = [o for o in figures.objectives if o.record["phase"] == phase]
        if objs:
            _phase_sheet(wb.create_sheet(pick(PHASES, phase, lang)), figures, objs, phase,
                         lang)
    _areas_sheet(wb.create_sheet(t["areas"]), figures, lang)
    index_sheet(wb.create_sheet(index_title(lang)), con, figures, lang)
    method_sheet(wb.create_sheet(t["method"]), figures, lang)
    sources_sheet(wb.create_sheet(t["sources"]), con, figures, lang)
    _properties(wb, figures, lang)
    return wb


def _properties(wb: Workbook, f: Figures, lang: str) -> None:
    t = T[lang]
    p = wb.properties
    plan = f.plan or {}
    p.title = t["doc_title"]
    p.subject = str(plan.get("title") or "")
    p.creator = "ivmonitor"
    p.lastModifiedBy = "ivmonitor"
    p.keywords = "LIVP; veiligheidsplan; gemeenteraad; ivmonitor"
    p.category = f.audience
    p.language = "nl-BE" if lang == "nl" else "en"
    p.description = (f"{t['public'] if f.audience == 'public' else t['internal']} "
                     f"{t['as_of'].format(d=date(f.as_of))}")
    custom = [("ivm.audience", f.audience), ("ivm.as_of", f.as_of.isoformat()),
              ("ivm.plan_version", str(plan.get("version") or "")), ("ivm.lang", lang)]
    if f.audience == "public":
        custom += [("ivm.public_min_count", str(f.thresholds.min_count)),
                   ("ivm.public_min_neff", plain_number(f.thresholds.min_neff))]
    for name, value in custom:
        wb.custom_doc_props.append(StringProperty(name=name, value=value))


def _summary_sheet(ws: Worksheet, f: Figures, lang: str) -> None:
    t = T[lang]
    row = title_block(ws, f, lang, t["report"])
    legend = "   ".join(status_text(s, lang) for s in STATUSES)
    put_text(ws.cell(row=4, column=1), f"{t['legend']}: {legend}").font = NOTE_FONT
    header = row
    put_header(ws, header, column_names(SUMMARY_FIELDS, lang))
    previous = None
    for o in f.objectives:
        r = o.record
        row += 1
        ind = o.indicator
        base_hidden = f.is_hidden(o.base_cell)
        cur_hidden = f.is_hidden(o.current_cell)
        target_hidden = base_hidden and o.relative_target
        values: list[Any] = [
            pick(PHASES, r["phase"], lang), r["id"], r["title"][lang], r["owner"],
            ", ".join(r["partners"]) or None, ind.title.nl if ind and lang == "nl" else
            (ind.title.en if ind else r["indicator"]), (r["unit"] or {}).get(lang),
            r["area"]["name"], r["area"]["id"],
        ]
        for col, v in enumerate(values, start=1):
            put(ws, row, col, v)
        put_value(ws, row, 10, r["baseline"]["value"], ind, base_hidden)
        put(ws, row, 11, r["baseline"]["period"])
        put_value(ws, row, 12, r["target"]["value"], ind, target_hidden)
        put(ws, row, 13, date_of(r["target"]["deadline"]))
        put_value(ws, row, 14, r["current"]["value"], ind, cur_hidden)
        put(ws, row, 15, r["current"]["period"])
        put(ws, row, 16, r["symbol"]).alignment = Alignment(horizontal="center")
        status = put(ws, row, 17, r["status_label"][lang])
        status.fill = PatternFill("solid", fgColor=STATUS_FILL[r["status"]])
        hidden = f.reason_hidden(o)
        chance = put(ws, row, 18, None if hidden else r.get("probability"))
        chance.number_format = "0%"
        reason = t["reason_hidden"] if hidden else r["reason"][lang]
        put(ws, row, 19, reason)
        put(ws, row, 20, date_of(r["cutoff"]))
        for col in range(1, 21):
            c = ws.cell(row=row, column=col)
            c.alignment = WRAP if col in (3, 5, 6, 19) else Alignment(
                vertical="top", horizontal=c.alignment.horizontal)
            if previous is not None and previous != r["phase"]:
                c.border = LINE
        previous = r["phase"]
    set_widths(ws, [11, 9, 40, 16, 22, 30, 16, 24, 11, 11, 10, 10, 11, 11, 15, 7, 16, 12, 60,
                    11])
    finish_table(ws, header, len(SUMMARY_FIELDS), row, freeze_col=3)


def _phase_sheet(ws: Worksheet, f: Figures, objs: list[ObjectiveFigures], phase: str,
                 lang: str) -> None:
    t = T[lang]
    public = f.audience == "public"
    row = title_block(ws, f, lang, pick(PHASES, phase, lang))
    cols = column_names(DETAIL_FIELDS, lang)
    if public:  # numerators, denominators and n would give small counts away
        cols = [c for i, c in enumerate(cols) if i not in (9, 10, 11, 12)]
    ncols = len(cols)
    chart_col = ncols + 2
    header = row
    put_header(ws, header, cols)
    put_header(ws, header, t["chart_cols"], col=chart_col)
    charts = 0
    for o in objs:
        r = o.record
        ind = o.indicator
        first = row + 1
        base_hidden = f.is_hidden(o.base_cell)
        target_hidden = base_hidden and o.relative_target
        for d in o.rows:
            row += 1
            hidden = f.is_hidden(d.cell)
            for col, v in enumerate([r["id"], r["title"][lang], r["area"]["name"],
                                     r["area"]["id"], d.period,
                                     pick(SERIES_KINDS, d.kind, lang)], start=1):
                put(ws, row, col, v)
            for col, v in ((7, d.value), (8, d.ci_low), (9, d.ci_high)):
                put_value(ws, row, col, v, ind, hidden)
            col = 10
            if not public:
                for c, v in ((10, d.numerator), (11, d.denominator), (12, d.n),
                             (13, d.n_eff)):
                    put(ws, row, c, v, AMOUNT.excel(v))
                col = 14
            put_value(ws, row, col, r["baseline"]["value"], ind, base_hidden)
            put_value(ws, row, col + 1, r["target"]["value"], ind, target_hidden)
            chart = [None if hidden else d.value,
                     None if base_hidden else r["baseline"]["value"],
                     None if target_hidden else r["target"]["value"]]
            for i, v in enumerate(chart):
                put(ws, row, chart_col + i, v, value_format(ind, v))
        if ind is not None and row - first + 1 >= 2 and any(
                not f.is_hidden(d.cell) for d in o.rows):
            _chart(ws, r, first, row, chart_col, ncols + 6, header + 1 + 16 * charts, lang)
            charts += 1
    for c in range(chart_col, chart_col + 3):
        ws.column_dimensions[get_column_letter(c)].hidden = True
    widths = [9, 36, 24, 11, 16, 16, 11, 11, 11] + ([] if public else [10, 11, 8, 9]) + [11, 11]
    set_widths(ws, widths)
    finish_table(ws, header, ncols, row, freeze_col=5)


def _chart(ws: Worksheet, r: dict, first: int, last: int, data_col: int, at_col: int,
           at_row: int, lang: str) -> None:
    """A line chart: the values, the baseline and the target (from the hidden chart columns)."""
    chart = LineChart()
    chart.title = f"{r['id']}: {r['area']['name']}"
    chart.height = 7.5
    chart.width = 16
    chart.display_blanks = "gap"
    chart.visible_cells_only = False  # the chart columns are hidden
    chart.y_axis.title = (r["unit"] or {}).get(lang)
    chart.y_axis.majorGridlines = None
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    for i, name in enumerate(pick(FIELDS, k, lang) for k in ("value", "baseline", "target")):
        s = Series(Reference(ws, min_col=data_col + i, min_row=first, max_row=last),
                   title=name)
        s.smooth = False
        s.marker = Marker(symbol="circle" if i == 0 else "none")
        if i:
            s.graphicalProperties.line.dashStyle = "dash"
        chart.series.append(s)
    chart.set_categories(Reference(ws, min_col=5, min_row=first, max_row=last))
    ws.add_chart(chart, f"{get_column_letter(at_col)}{at_row}")


def _areas_sheet(ws: Worksheet, f: Figures, lang: str) -> None:
    t = T[lang]
    row = title_block(ws, f, lang, t["areas"])
    put_text(ws.cell(row=4, column=1), t["areas_note"]).font = NOTE_FONT
    years = f.years
    cols = [*t["area_cols"], *map(str, years), t["total"], t["total_years"]]
    header = row
    put_header(ws, header, cols)
    level_names = {"wijk": t["wijk"], "rest": t["unassigned_level"], "gemeente": t["city"]}
    base = len(t["area_cols"])
    for a in f.area_rows:
        row += 1
        ind = a.indicator
        name = a.name if a.level != "rest" else t["unassigned"]
        for col, v in enumerate([ind.title.nl if lang == "nl" else ind.title.en, ind.id,
                                 ind.unit.nl if lang == "nl" else ind.unit.en, name,
                                 a.area_id or None, level_names[a.level]], start=1):
            put(ws, row, col, v)
        for i, y in enumerate(years):
            if y in a.values:
                put_value(ws, row, base + 1 + i, a.values[y], ind, f.is_hidden(a.cells.get(y)))
        if a.total is not None:
            put_value(ws, row, base + 1 + len(years), a.total, ind, f.is_hidden(a.total_cell))
            put(ws, row, base + 2 + len(years), a.total_cell[2] if a.total_cell else None)
        if a.level == "gemeente":
            for col in range(1, len(cols) + 1):
                ws.cell(row=row, column=col).font = HEAD_FONT
    set_widths(ws, [34, 24, 16, 34, 11, 8, *([9] * len(years)), 10, 11])
    finish_table(ws, header, len(cols), row, freeze_col=base + 1)


__all__ = ["CREDITS", "build_workbook", "write_council_workbook"]
