"""The council workbook's sheet "Veiligheidsindex": crime, nuisance and feeling unsafe per wijk
on one scale, the city = 100 (:mod:`indicators.safety_index`), each part and the index with its
95 % interval, as the Wijken page shows it. The public version shows x for a wijk whose smallest
count or survey sample is below the suppression thresholds, as the public areas page does."""

from __future__ import annotations

import duckdb
from openpyxl.worksheet.worksheet import Worksheet

from dashboard.export.figures import Figures
from dashboard.export.safe import put_text
from dashboard.export.sheet import (
    NOTE_FONT,
    finish_table,
    print_setup,
    put,
    put_header,
    put_hidden,
    set_widths,
    title_block,
)
from indicators import complete_years, index_parts, stored_as_of, wijk_safety_index

TEXT = {
    "nl": {"title": "Veiligheidsindex", "wijk": "Wijk", "code": "Wijkcode",
           "index": "Index", "low": "95 %-interval van", "high": "tot",
           "note": "Stad = 100. Boven 100: meer criminaliteit, overlast of onveiligheidsgevoel "
                   "dan gemiddeld in de stad; onder 100: minder. Cijfers van {year}; "
                   "onveiligheidsgevoel uit de bevraging van {wave}. De index vergelijkt wijken; "
                   "de doelstellingen meten de vooruitgang.",
           "none": "Geen veiligheidsindex: niet elk deel heeft een volledig jaar."},
    "en": {"title": "Safety index", "wijk": "Neighbourhood", "code": "Code",
           "index": "Index", "low": "95 % interval from", "high": "to",
           "note": "City = 100. Above 100: more crime, nuisance or feeling unsafe than the "
                   "city's average; below 100: less. Figures of {year}; feeling unsafe from the "
                   "survey of {wave}. The index compares neighbourhoods; the objectives measure "
                   "progress.",
           "none": "No safety index: not every part has a complete year."},
}


def title(lang: str) -> str:
    """The sheet's name."""
    return TEXT[lang]["title"]


def index_sheet(ws: Worksheet, con: duckdb.DuckDBPyConnection, f: Figures, lang: str) -> None:
    """Fill the sheet for the city of ``f`` in the latest complete year of the index's first
    part (the stored results; a workbook for another date says there is none)."""
    t = TEXT[lang]
    row = title_block(ws, f, lang, t["title"])
    declared = index_parts()
    first = declared[0].indicator if declared else None
    years = complete_years(con, [first]).get(first, []) if first else []
    rows, used, year = [], {}, None
    if f.city is not None and years and stored_as_of(con) == f.as_of:
        year = max(years)
        rows, used = wijk_safety_index(con, f.catalog.indicators, year, f.city[0])
    if not rows:
        put_text(ws.cell(row=row, column=1), t["none"]).font = NOTE_FONT
        print_setup(ws, None)
        return
    put_text(ws.cell(row=4, column=1), t["note"].format(
        year=year, wave=used.get("unsafe", "–"))).font = NOTE_FONT
    header = row
    put_header(ws, header, [t["wijk"], t["code"], *(p.title[lang] for p in declared),
                            t["index"], t["low"], t["high"]])
    public = f.audience == "public"
    for w in rows:
        row += 1
        put(ws, row, 1, w.name)
        put(ws, row, 2, w.area_id)
        hidden = public and w.too_small(f.thresholds.min_count, f.thresholds.min_neff)
        values = [(w.parts.get(p.key) or (None,))[0] for p in declared]
        for col, v in enumerate([*values, w.index, w.low, w.high], start=3):
            if hidden:
                put_hidden(ws, row, col)
            else:
                put(ws, row, col, None if v is None else round(v), "0")
    set_widths(ws, [34, 11, *([14] * len(declared)), 9, 12, 9])
    finish_table(ws, header, 2 + len(declared) + 3, row, freeze_col=3)
