"""The Wijken page's section "Veiligheidsindex per wijk": crime, nuisance and feeling unsafe per
wijk on one scale (city = 100, :mod:`indicators.safety_index`), as a table with each part and
the index with its interval. The public view shows the same table with every wijk whose
counts or survey sample are too small to publish (the public workbook's thresholds) as x."""

from __future__ import annotations

from typing import Any

from dash import html

from core.settings import setting
from core.vocabulary import number, pick
from dashboard.components import suppressed_note, table
from dashboard.export.suppress import MARK

TEXT = {
    "title": {"nl": "Veiligheidsindex per wijk", "en": "Safety index per neighbourhood"},
    "intro": {"nl": "Criminaliteit, overlast en onveiligheidsgevoel op één schaal: de stad is "
                    "100. Boven 100: meer dan gemiddeld in de stad; onder 100: minder. "
                    "{year}; onveiligheidsgevoel uit de bevraging van {wave}.",
              "en": "Crime, nuisance and feeling unsafe on one scale: the city is 100. Above "
                    "100: more than the city's average; below: less. {year}; feeling unsafe "
                    "from the {wave} survey."},
    "none": {"nl": "Geen index: er zijn geen waarden per wijk voor dit jaar.",
             "en": "No index: there are no values per neighbourhood for this year."},
    "wijk": {"nl": "Wijk", "en": "Neighbourhood"},
    "index": {"nl": "Index", "en": "Index"},
    "interval": {"nl": "95 %-interval", "en": "95 % interval"},
    "method": {"nl": "Opgebouwd naar het voorbeeld van de Amsterdamse Veiligheidsindex en het "
                     "Rotterdamse Wijkprofiel.",
               "en": "Built after Amsterdam's safety index and Rotterdam's neighbourhood "
                     "profile."},
}


def index_section(found: dict[str, Any] | None, lang: str, public: bool = False) -> list:
    """The section's children from :meth:`dashboard.data.DashboardData.safety_index`."""
    title = html.H2(pick(TEXT, "title", lang))
    if not found or not found["rows"]:
        return [title, html.P(pick(TEXT, "none", lang), className="hint")]
    parts, used = found["parts"], found["used"]
    min_count = float(setting("public_min_count"))
    min_neff = float(setting("public_min_neff"))
    rows, hidden = [], False
    for w in found["rows"]:
        small = public and w.too_small(min_count, min_neff)
        hidden = hidden or small

        def cell(v: Any, small: bool = small) -> Any:
            if small:
                return html.Span(MARK, className="suppressed")
            return "–" if v is None else number(v, 0, lang)

        rows.append([w.name] + [cell(w.parts.get(p.key) and w.parts[p.key][0]) for p in parts]
                    + [cell(w.index),
                       html.Span(MARK, className="suppressed") if small else (
                           "–" if w.low is None else
                           f"{number(w.low, 0, lang)} – {number(w.high, 0, lang)}")])
    header = ([pick(TEXT, "wijk", lang)] + [p.title[lang] for p in parts]
              + [pick(TEXT, "index", lang), pick(TEXT, "interval", lang)])
    wave = used.get("unsafe", "–")
    out = [title, html.P(pick(TEXT, "intro", lang).format(year=found["year"], wave=wave)),
           table(header, rows, set(range(1, len(header))), table_id="areas-index-table")]
    if hidden:
        out.append(suppressed_note(lang))
    out.append(html.P(pick(TEXT, "method", lang), className="hint"))
    return out
