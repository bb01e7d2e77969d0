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
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import duckdb
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference, Series
from openpyxl.chart.marker import Marker
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.errors import IvmError
from core.vocabulary import (
    AMOUNT,
    DEFAULT_STYLE,
    DIRECTIONS,
    EXCEL_DATE,
    EXCEL_DATETIME,
    EXCEL_INT,
    FIELDS,
    PHASES,
    POPULATIONS,
    SERIES_KINDS,
    STATUSES,
    TESTS,
    date,
    excel_format,
    number,
    pick,
    status_text,
)
from core.workbook import save_reproducible
from dashboard.export.figures import Figures, council_figures, public_records
from dashboard.export.release import ObjectiveFigures, family, thresholds_for
from dashboard.export.safe import put_text
from dashboard.export.suppress import MARK, Thresholds, rules
from indicators import method
from indicators.catalog import Catalog, Exclude, Indicator
from indicators.compute import coverage as compute_coverage
from indicators.readers import loads, source_coverage
from indicators.results import as_of as stored_as_of
from indicators.sources import SOURCES

LANGS = ("nl", "en")

#: The columns of the Samenvatting and of a phase sheet: names of the vocabulary's fields.
SUMMARY_FIELDS = ("phase", "id", "objective", "owner", "partners", "indicator", "unit", "area",
                  "area_code", "baseline", "baseline_period", "target", "deadline", "current",
                  "period", "symbol", "status", "reason", "cutoff")
DETAIL_FIELDS = ("id", "objective", "area", "area_code", "period", "kind", "value", "ci_low",
                 "ci_high", "numerator", "denominator", "n", "n_eff", "baseline", "target")

T = {
    "nl": {
        "summary": "Samenvatting", "areas": "Wijken", "method": "Methode", "sources": "Bronnen",
        "report": "stand van zaken voor de gemeenteraad",
        "version": "Planversie {v}, goedgekeurd door {by} op {on}",
        "not_approved": "Planversie {v} (nog niet goedgekeurd)",
        "as_of": "Cijfers tot {d}", "internal": "Interne versie: bevat kleine aantallen, niet "
        "publiceren.", "public": "Publieke versie: x = niet getoond (klein aantal of ter "
        "bescherming van een klein aantal); zie het blad Methode.",
        "legend": "Status (symbool en tekst)",
        "kind": "Soort", "n": "n",
        "chart_cols": ["grafiek: waarde", "grafiek: basiswaarde", "grafiek: doel"],
        "area_cols": ["Indicator", "Indicator-id", "Eenheid", "Gebied", "Gebiedscode", "Niveau"],
        "total": "Totaal", "total_years": "Jaren in totaal",
        "city": "stad", "wijk": "wijk", "unassigned": "niet aan een wijk toegewezen",
        "unassigned_level": "rest",
        "areas_note": "Per wijk en kalenderjaar (volledige jaren; bij een bevraging de golven). "
        "Aantallen, tarieven en sommen tellen op tot de stad; het totaal loopt over de getoonde "
        "jaren (een tarief: opgeteld aantal gedeeld door opgetelde bevolking).",
        "method_cols": ["Id", "Titel", "Eenheid", "Bron", "Meting", "Definitie", "Noemer",
                        "Filters", "Beter", "Periode", "Toets (ruismodel)", "Minimum n",
                        "Statusregel", "Onderdrukking (publiek)"],
        "status_rules": "Statusregels: de eerste regel die geldt",
        "objective_method": "Methode per doelstelling, in gewone woorden (zoals op de pagina "
        "van de doelstelling)",
        "objective_method_cols": ["Id", "Gebied", "Status", "Methode"],
        "suppression_rules": "Onderdrukking van kleine aantallen (publieke versie)",
        "thresholds": "Drempels: aantal {c} (IVM_PUBLIC_MIN_COUNT), effectieve n {n} "
        "(IVM_PUBLIC_MIN_NEFF).",
        "load_cols": ["Lading", "Soort", "Profiel", "Bestand", "Uitkomst", "Rijen gelezen",
                      "Geladen", "Vervangen", "Overgeslagen", "In quarantaine", "Afsluitdatum",
                      "Geladen op"],
        "cov_title": "Dekking per bron (zoals gebruikt voor deze cijfers)",
        "cov_cols": ["Bron", "Omschrijving", "Eerste dag", "Afsluitdatum", "Rijen"],
        "plan_title": "Plan",
        "plan_cols": ["Planversie", "Titel", "Goedgekeurd op", "Goedgekeurd door",
                      "Doelstellingen"],
        "credits_title": "Open data en bronvermelding",
        "credits_cols": ["Gegevens", "Bronvermelding", "Licentie", "Gebruikt in dit magazijn"],
        "yes": "ja", "no": "nee",
        "reason_hidden": "reden niet getoond: berust op een klein aantal (zie Methode)",
        "rule_count": "aantallen 1-{m} niet getoond, met aanvullende onderdrukking",
        "rule_neff": "niet getoond bij (effectieve) n onder {n}",
        "rule_none": "altijd getoond (geregistreerde prestaties, niet over personen)",
        "status_rule": "onvoldoende gegevens onder n = {n}; toets: {t}",
        "status_rule_count": "een klein aantal is geen gebrek aan gegevens; toets: {t}",
        "doc_title": "Veiligheidsplan: stand van zaken voor de gemeenteraad",
        "no_filters": "geen",
        "no_minimum": "geen minimum n; toets: {t}",
    },
    "en": {
        "summary": "Summary", "areas": "Neighbourhoods", "method": "Method",
        "sources": "Sources", "report": "progress report to the city council",
        "version": "Plan version {v}, approved by {by} on {on}",
        "not_approved": "Plan version {v} (not yet approved)",
        "as_of": "Figures up to {d}", "internal": "Internal version: contains small numbers, "
        "do not publish.", "public": "Public version: x = not shown (a small number, or "
        "protecting a small number); see the Method sheet.",
        "legend": "Status (symbol and text)",
        "kind": "Kind", "n": "n",
        "chart_cols": ["chart: value", "chart: baseline", "chart: target"],
        "area_cols": ["Indicator", "Indicator id", "Unit", "Area", "Area code", "Level"],
        "total": "Total", "total_years": "Years in total",
        "city": "city", "wijk": "neighbourhood", "unassigned": "not assigned to a neighbourhood",
        "unassigned_level": "rest",
        "areas_note": "Per neighbourhood (wijk) and calendar year (complete years; for a survey "
        "its waves). Counts, rates and sums add up to the city; the total runs over the years "
        "shown (a rate: summed count over summed population).",
        "method_cols": ["Id", "Title", "Unit", "Source", "Measure", "Definition",
                        "Denominator", "Filters", "Better", "Period", "Test (noise model)",
                        "Minimum n", "Status rule", "Suppression (public)"],
        "status_rules": "Status rules: the first rule that applies",
        "objective_method": "Method per objective, in plain words (as on the objective's page)",
        "objective_method_cols": ["Id", "Area", "Status", "Method"],
        "suppression_rules": "Suppression of small numbers (public version)",
        "thresholds": "Thresholds: count {c} (IVM_PUBLIC_MIN_COUNT), effective n {n} "
        "(IVM_PUBLIC_MIN_NEFF).",
        "load_cols": ["Load", "Kind", "Profile", "File", "Outcome", "Rows read", "Loaded",
                      "Replaced", "Skipped", "Quarantined", "Cut-off date", "Loaded at"],
        "cov_title": "Coverage per source (as used for these figures)",
        "cov_cols": ["Source", "Description", "First day", "Cut-off date", "Rows"],
        "plan_title": "Plan",
        "plan_cols": ["Plan version", "Title", "Approved on", "Approved by", "Objectives"],
        "credits_title": "Open data and credits",
        "credits_cols": ["Data", "Credit", "Licence", "Used in this warehouse"],
        "yes": "yes", "no": "no",
        "reason_hidden": "reason not shown: it rests on a small number (see Method)",
        "rule_count": "counts 1-{m} not shown, with complementary suppression",
        "rule_neff": "not shown when the (effective) n is below {n}",
        "rule_none": "always shown (registered outputs, not about persons)",
        "status_rule": "insufficient data below n = {n}; test: {t}",
        "status_rule_count": "a small count is not insufficient data; test: {t}",
        "doc_title": "Safety plan: progress report to the city council",
        "no_filters": "none",
        "no_minimum": "no minimum n; test: {t}",
    },
}

#: The open data a warehouse may hold, with the credit its licence asks for (README).
CREDITS = [
    ("be-aalst-areas", "Wijken",
     "Wijken voor omgevingsanalyse. © gemeentebesturen, verzameld door Data & Analyse van de "
     "Vlaamse provincies (https://github.com/provinciesincijfers/gebiedsniveaus/blob/master/"
     "gemeente_statsec_wijken/readme.md)", "Modellicentie Gratis Hergebruik v1.0"),
    ("be-aalst-areas", "Statistische sectoren, deelgemeenten, gemeenten",
     "Bron: Statbel (statistische sectoren); bewerking: Data & Analyse van de Vlaamse "
     "provincies", "Statbel open data (CC BY 4.0)"),
    ("be-statbel-bevolking", "Bevolking",
     "Bron: Statbel (Algemene Directie Statistiek – Statistics Belgium), bevolking op "
     "1 januari 2020", "CC BY 4.0"),
    ("uk-police-lancashire", "Lancashire incidents, wards, ward population",
     "Contains public sector information licensed under the Open Government Licence v3.0 "
     "(police.uk, Home Office). Source: Office for National Statistics licensed under the Open "
     "Government Licence v.3.0. Contains OS data © Crown copyright and database right 2022. "
     "Extracts prepared in the crimemappingdata package by Matt Ashby.", "OGL v3.0"),
]
CREDITS_NOTE = {"nl": "De uitgevers onderschrijven dit product niet.",
                "en": "The publishers do not endorse this product."}

_HEAD_FONT = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDE3EA")
_TITLE_FONT = Font(bold=True, size=14)
_SUB_FONT = Font(bold=True, size=12)
_NOTE_FONT = Font(italic=True, color="555555")
_HIDDEN_FONT = Font(color="7F7F7F")
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
_LINE = Border(top=Side(style="thin", color="808080"))
#: Pastel fills behind the status words (never the only sign: symbol and words carry it).
_STATUS_FILL = {
    "achieved": "C6EFCE", "on_track": "DDEBF7", "at_risk": "FFEB9C", "off_track": "F8CBAD",
    "within_noise": "EDEDED", "insufficient_data": "FFFFFF",
}

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
    _method_sheet(wb.create_sheet(t["method"]), figures, lang)
    _sources_sheet(wb.create_sheet(t["sources"]), con, figures, lang)
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
                   ("ivm.public_min_neff", _plain(f.thresholds.min_neff))]
    for name, value in custom:
        wb.custom_doc_props.append(StringProperty(name=name, value=value))


def _plain(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _value_format(ind: Indicator | None, value: float | None = None) -> str:
    """The number format of an indicator's value: its measure kind's value style."""
    return excel_format(ind.style if ind is not None else DEFAULT_STYLE, value)


def _columns(fields: Sequence[str], lang: str) -> list[str]:
    """Column headings: the vocabulary's field names (the sheet's own words for the rest)."""
    return [pick(FIELDS, f, lang) if f in FIELDS else T[lang][f] for f in fields]


def _put(ws: Worksheet, row: int, col: int, value: Any, fmt: str | None = None) -> Any:
    """A cell: text through :func:`put_text`, numbers and dates with their format."""
    cell = ws.cell(row=row, column=col)
    if value is None:
        return cell
    if isinstance(value, str):
        put_text(cell, value)
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = EXCEL_DATE
    else:
        cell.value = value
        if fmt:
            cell.number_format = fmt
    return cell


def _hidden(ws: Worksheet, row: int, col: int) -> None:
    cell = put_text(ws.cell(row=row, column=col), MARK)
    cell.font = _HIDDEN_FONT
    cell.alignment = Alignment(horizontal="right")


def _header(ws: Worksheet, row: int, names: Sequence[str], col: int = 1) -> None:
    for i, name in enumerate(names):
        c = put_text(ws.cell(row=row, column=col + i), name)
        c.font = _HEAD_FONT
        c.fill = _HEAD_FILL
        c.alignment = Alignment(wrap_text=True, vertical="center")


def _widths(ws: Worksheet, widths: Sequence[float], col: int = 1) -> None:
    for i, w in enumerate(widths):
        ws.column_dimensions[get_column_letter(col + i)].width = w


def _table(ws: Worksheet, header_row: int, ncols: int, last_row: int,
           freeze_col: int = 1) -> None:
    """Frozen header, filter, print setup (landscape, fit to width, repeated header row)."""
    last = get_column_letter(ncols)
    ws.freeze_panes = f"{get_column_letter(freeze_col)}{header_row + 1}"
    ws.auto_filter.ref = f"A{header_row}:{last}{max(last_row, header_row)}"
    _print(ws, header_row)


def _print(ws: Worksheet, header_row: int | None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    if header_row:
        ws.print_title_rows = f"{header_row}:{header_row}"
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.right.text = "&P / &N"
    ws.page_margins.left = ws.page_margins.right = 0.4


def _title_block(ws: Worksheet, f: Figures, lang: str, subtitle: str) -> int:
    """Rows 1-4: title, plan version and approval, as-of date, audience. Returns the next row."""
    t = T[lang]
    plan = f.plan or {}
    title = f"{plan.get('title') or t['doc_title']}: {subtitle}"
    put_text(ws.cell(row=1, column=1), title).font = _TITLE_FONT
    if plan.get("approved_on"):
        line = t["version"].format(v=plan.get("version"), by=plan.get("approved_by") or "?",
                                   on=date(plan["approved_on"]))
    else:
        line = t["not_approved"].format(v=plan.get("version"))
    put_text(ws.cell(row=2, column=1), f"{line}. {t['as_of'].format(d=date(f.as_of))}.")
    note = put_text(ws.cell(row=3, column=1),
                    t["public"] if f.audience == "public" else t["internal"])
    note.font = _NOTE_FONT
    return 5


def _summary_sheet(ws: Worksheet, f: Figures, lang: str) -> None:
    t = T[lang]
    row = _title_block(ws, f, lang, t["report"])
    legend = "   ".join(status_text(s, lang) for s in STATUSES)
    put_text(ws.cell(row=4, column=1), f"{t['legend']}: {legend}").font = _NOTE_FONT
    header = row
    _header(ws, header, _columns(SUMMARY_FIELDS, lang))
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
            _put(ws, row, col, v)
        _number(ws, row, 10, r["baseline"]["value"], ind, base_hidden)
        _put(ws, row, 11, r["baseline"]["period"])
        _number(ws, row, 12, r["target"]["value"], ind, target_hidden)
        _put(ws, row, 13, _date(r["target"]["deadline"]))
        _number(ws, row, 14, r["current"]["value"], ind, cur_hidden)
        _put(ws, row, 15, r["current"]["period"])
        _put(ws, row, 16, r["symbol"]).alignment = Alignment(horizontal="center")
        status = _put(ws, row, 17, r["status_label"][lang])
        status.fill = PatternFill("solid", fgColor=_STATUS_FILL[r["status"]])
        reason = t["reason_hidden"] if f.reason_hidden(o) else r["reason"][lang]
        _put(ws, row, 18, reason)
        _put(ws, row, 19, _date(r["cutoff"]))
        for col in range(1, 20):
            c = ws.cell(row=row, column=col)
            c.alignment = _WRAP if col in (3, 5, 6, 18) else Alignment(
                vertical="top", horizontal=c.alignment.horizontal)
            if previous is not None and previous != r["phase"]:
                c.border = _LINE
        previous = r["phase"]
    _widths(ws, [11, 9, 40, 16, 22, 30, 16, 24, 11, 11, 10, 10, 11, 11, 15, 7, 16, 60, 11])
    _table(ws, header, len(SUMMARY_FIELDS), row, freeze_col=3)


def _number(ws: Worksheet, row: int, col: int, value: float | None, ind: Indicator | None,
            hidden: bool) -> None:
    if value is None:
        return
    if hidden:
        _hidden(ws, row, col)
        return
    _put(ws, row, col, value, _value_format(ind, value))


def _date(text: Any) -> dt.date | None:
    if text is None:
        return None
    if isinstance(text, dt.date):
        return text
    return dt.date.fromisoformat(str(text)[:10])


def _phase_sheet(ws: Worksheet, f: Figures, objs: list[ObjectiveFigures], phase: str,
                 lang: str) -> None:
    t = T[lang]
    public = f.audience == "public"
    row = _title_block(ws, f, lang, pick(PHASES, phase, lang))
    cols = _columns(DETAIL_FIELDS, lang)
    if public:  # numerators, denominators and n would give small counts away
        cols = [c for i, c in enumerate(cols) if i not in (9, 10, 11, 12)]
    ncols = len(cols)
    chart_col = ncols + 2
    header = row
    _header(ws, header, cols)
    _header(ws, header, t["chart_cols"], col=chart_col)
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
                _put(ws, row, col, v)
            for col, v in ((7, d.value), (8, d.ci_low), (9, d.ci_high)):
                _number(ws, row, col, v, ind, hidden)
            col = 10
            if not public:
                for c, v in ((10, d.numerator), (11, d.denominator), (12, d.n),
                             (13, d.n_eff)):
                    _put(ws, row, c, v, AMOUNT.excel(v))
                col = 14
            _number(ws, row, col, r["baseline"]["value"], ind, base_hidden)
            _number(ws, row, col + 1, r["target"]["value"], ind, target_hidden)
            chart = [None if hidden else d.value,
                     None if base_hidden else r["baseline"]["value"],
                     None if target_hidden else r["target"]["value"]]
            for i, v in enumerate(chart):
                _put(ws, row, chart_col + i, v, _value_format(ind, v))
        if ind is not None and row - first + 1 >= 2 and any(
                not f.is_hidden(d.cell) for d in o.rows):
            _chart(ws, r, first, row, chart_col, ncols + 6, header + 1 + 16 * charts, lang)
            charts += 1
    for c in range(chart_col, chart_col + 3):
        ws.column_dimensions[get_column_letter(c)].hidden = True
    widths = [9, 36, 24, 11, 16, 16, 11, 11, 11] + ([] if public else [10, 11, 8, 9]) + [11, 11]
    _widths(ws, widths)
    _table(ws, header, ncols, row, freeze_col=5)


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
    row = _title_block(ws, f, lang, t["areas"])
    put_text(ws.cell(row=4, column=1), t["areas_note"]).font = _NOTE_FONT
    years = f.years
    cols = [*t["area_cols"], *map(str, years), t["total"], t["total_years"]]
    header = row
    _header(ws, header, cols)
    level_names = {"wijk": t["wijk"], "rest": t["unassigned_level"], "gemeente": t["city"]}
    base = len(t["area_cols"])
    for a in f.area_rows:
        row += 1
        ind = a.indicator
        name = a.name if a.level != "rest" else t["unassigned"]
        for col, v in enumerate([ind.title.nl if lang == "nl" else ind.title.en, ind.id,
                                 ind.unit.nl if lang == "nl" else ind.unit.en, name,
                                 a.area_id or None, level_names[a.level]], start=1):
            _put(ws, row, col, v)
        for i, y in enumerate(years):
            if y in a.values:
                _number(ws, row, base + 1 + i, a.values[y], ind, f.is_hidden(a.cells.get(y)))
        if a.total is not None:
            _number(ws, row, base + 1 + len(years), a.total, ind, f.is_hidden(a.total_cell))
            _put(ws, row, base + 2 + len(years), a.total_cell[2] if a.total_cell else None)
        if a.level == "gemeente":
            for col in range(1, len(cols) + 1):
                ws.cell(row=row, column=col).font = _HEAD_FONT
    _widths(ws, [34, 24, 16, 34, 11, 8, *([9] * len(years)), 10, 11])
    _table(ws, header, len(cols), row, freeze_col=base + 1)


def _method_sheet(ws: Worksheet, f: Figures, lang: str) -> None:
    t = T[lang]
    row = _title_block(ws, f, lang, t["method"])
    header = row
    _header(ws, header, t["method_cols"])
    for ind in sorted(f.catalog, key=lambda i: i.id):
        row += 1
        kind = ind.kind
        fam = family(ind)
        th = thresholds_for(ind, f.thresholds)
        test = pick(TESTS, method.test_of(kind.noise), lang)
        if fam == "count":
            supp = t["rule_count"].format(m=th.min_count - 1)
            status_rule = t["status_rule_count"].format(t=test)
        elif fam == "open":
            supp = t["rule_none"]
            status_rule = (t["no_minimum"] if ind.min_n <= 0 else t["status_rule"]).format(
                n=ind.min_n, t=test)
        else:
            supp = t["rule_neff"].format(n=_plain(th.min_neff))
            status_rule = t["status_rule"].format(n=ind.min_n, t=test)
        text = (lambda x: x.nl) if lang == "nl" else (lambda x: x.en)
        doc = kind.description(lang)
        definition = f"{text(ind.numerator)}; {ind.measure}: {doc}"
        if ind.description:
            definition = f"{text(ind.description)} {definition}"
        denominator = text(ind.denominator) if ind.denominator else None
        if ind.population:
            per = (f"per {number(ind.factor or 1, 0, lang)} "
                   f"{pick(POPULATIONS, ind.population, lang)}")
            denominator = f"{denominator}; {per}" if denominator else per
        values = [ind.id, text(ind.title), text(ind.unit),
                  f"{ind.source} ({SOURCES[ind.source].description.get(lang, '')})",
                  ind.measure, definition, denominator, _filters(ind) or t["no_filters"],
                  pick(DIRECTIONS, ind.direction, lang), ind.period, test, ind.min_n,
                  status_rule,
                  supp]
        for col, v in enumerate(values, start=1):
            _put(ws, row, col, v).alignment = _WRAP
    last_table_row = row
    row += 2
    put_text(ws.cell(row=row, column=1), t["status_rules"]).font = _SUB_FONT
    for label, text_ in method.status_rules(lang):
        row += 1
        put_text(ws.cell(row=row, column=1), label).font = _HEAD_FONT
        put_text(ws.cell(row=row, column=2), text_).alignment = _WRAP
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=8)
        ws.row_dimensions[row].height = 15 * max(1, len(text_) // 110 + 1)
    row = _objective_methods(ws, f, row + 2, lang)
    row += 2
    put_text(ws.cell(row=row, column=1), t["suppression_rules"]).font = _SUB_FONT
    row += 1
    put_text(ws.cell(row=row, column=1), t["thresholds"].format(
        c=f.thresholds.min_count, n=_plain(f.thresholds.min_neff)))
    for sentence in rules(f.thresholds, lang):
        row += 1
        put_text(ws.cell(row=row, column=1), sentence).alignment = _WRAP
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=8)
        ws.row_dimensions[row].height = 15 * max(1, len(sentence) // 120 + 1)
    _widths(ws, [26, 30, 16, 22, 11, 50, 26, 30, 8, 8, 24, 9, 30, 30])
    _table(ws, header, len(t["method_cols"]), last_table_row, freeze_col=2)


def _filters(ind: Indicator) -> str:
    parts = []
    for col, spec in ind.filters.items():
        if isinstance(spec, Exclude):
            parts.append(f"{col} not in {', '.join(map(str, spec.not_))}")
        else:
            parts.append(f"{col} in {', '.join(map(str, spec))}")
    if ind.event:
        parts.append(f"event {ind.event}")
    if ind.question:
        parts.append(f"question {ind.question}" + (
            f", counts {', '.join(ind.counts)}" if ind.counts else ""))
    return "; ".join(parts)


def _objective_methods(ws: Worksheet, f: Figures, row: int, lang: str) -> int:
    """Each objective's method in plain words, as its page says it (the public version leaves
    out what its page leaves out); returns the last row written."""
    t = T[lang]
    put_text(ws.cell(row=row, column=1), t["objective_method"]).font = _SUB_FONT
    row += 1
    _header(ws, row, t["objective_method_cols"])
    records = public_records(f) if f.audience == "public" else [o.record for o in f.objectives]
    for o, rec in zip(f.objectives, records, strict=True):
        row += 1
        text = " ".join(method.sentences(rec, o.indicator, lang))
        for col, v in enumerate([rec["id"], rec["area"]["name"] or rec["area"]["id"],
                                 status_text(rec["status"], lang), text], start=1):
            _put(ws, row, col, v).alignment = _WRAP
        ws.merge_cells(start_row=row, start_column=4, end_row=row, end_column=8)
        ws.row_dimensions[row].height = 15 * max(1, len(text) // 110 + 1)
    return row


def _sources_sheet(ws: Worksheet, con: duckdb.DuckDBPyConnection, f: Figures,
                   lang: str) -> None:
    t = T[lang]
    row = _title_block(ws, f, lang, t["sources"])
    header = row
    _header(ws, header, t["load_cols"])
    files = []
    for ld in loads(con, newest_first=False):
        row += 1
        files.append(str(ld["file"]))
        finished = ld["finished_at"]
        values = [ld["load_id"], ld["kind"], ld["profile"], _file_name(ld["file"]),
                  ld["outcome"], *(ld[k] for k in ("rows_read", "rows_loaded", "rows_replaced",
                                                   "rows_skipped", "rows_quarantined")),
                  ld["cutoff_date"], finished.replace(microsecond=0) if finished else None]
        for col, v in enumerate(values, start=1):
            cell = _put(ws, row, col, v, EXCEL_INT)
            if col == 12 and v is not None:
                cell.number_format = EXCEL_DATETIME
    last_loads = row
    row += 2
    put_text(ws.cell(row=row, column=1), t["cov_title"]).font = _SUB_FONT
    row += 1
    _header(ws, row, t["cov_cols"])
    for kind, start, cutoff, rows in _coverage(con, f):
        row += 1
        desc = SOURCES[kind].description.get(lang) if kind in SOURCES else None
        for col, v in enumerate([kind, desc, start, cutoff, rows], start=1):
            _put(ws, row, col, v, EXCEL_INT)
    row += 2
    put_text(ws.cell(row=row, column=1), t["plan_title"]).font = _SUB_FONT
    row += 1
    _header(ws, row, t["plan_cols"])
    if f.plan:
        row += 1
        p = f.plan
        for col, v in enumerate([p["version"], p["title"], p["approved_on"], p["approved_by"],
                                 p["objectives"]], start=1):
            _put(ws, row, col, v, EXCEL_INT)
    row += 2
    put_text(ws.cell(row=row, column=1), t["credits_title"]).font = _SUB_FONT
    row += 1
    _header(ws, row, t["credits_cols"])
    for folder, data, credit, licence in CREDITS:
        row += 1
        used = any(f"/{folder}/" in p.replace("\\", "/") for p in files)
        for col, v in enumerate([data, credit, licence, t["yes"] if used else t["no"]],
                                start=1):
            _put(ws, row, col, v).alignment = _WRAP
    row += 1
    put_text(ws.cell(row=row, column=1), CREDITS_NOTE[lang]).font = _NOTE_FONT
    _widths(ws, [22, 40, 22, 30, 10, 12, 10, 10, 12, 13, 12, 16])
    _table(ws, header, len(t["load_cols"]), last_loads)


def _file_name(path: Any) -> str | None:
    """The file's name without the folders (they say nothing to the council)."""
    if path is None:
        return None
    return re.split(r"[\\/]", str(path))[-1]


def _coverage(con: duckdb.DuckDBPyConnection, f: Figures) -> list[tuple]:
    stored = stored_as_of(con)
    if stored is not None and f.as_of == stored:
        return source_coverage(con)
    cov = compute_coverage(con, f.as_of)
    return [(c.kind, c.data_start, c.cutoff, c.rows) for _, c in sorted(cov.items())]


__all__ = ["CREDITS", "build_workbook", "write_council_workbook"]
