"""The plan at a glance: filtering status records, formatting their values the way each
indicator reads, and the overview's building blocks (plan header, data coverage, status tiles,
objectives grouped by phase of the safety chain).

Pure functions: status records (the shape of ``ivm status --format json``) in, text or Dash
components out; no queries here, so every piece is testable without a browser.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from dash import dcc, html

from core.vocabulary import (
    DEFAULT_STYLE,
    PHASES,
    SOURCE_KINDS,
    STATUSES,
    approver,
    date,
    in_lang,
    number,
    pick,
    value_text,
)
from core.vocabulary import PLANS_LONG as PLANS
from core.vocabulary import period as format_period
from dashboard.components import data_row, href, status_badge, table
from dashboard.export.suppress import MARK
from dashboard.i18n import t
from dashboard.markup import Element
from dashboard.registry import may_open_objective, path_of
from dashboard.viewer import current_viewer

#: The filters of the overview, in the order they appear in its URL.
FILTERS = ("phase", "status", "partner", "plan", "q")

TEXT = {
    "all": {"nl": "Alle", "en": "All"},
    "suppressed": {"nl": "afgeschermd: een klein aantal, of een cijfer dat er een beschermt",
                   "en": "suppressed: a small number, or a figure that protects one"},
    "all_statuses": {"nl": "alle statussen", "en": "all statuses"},
    "objectives": {"nl": "doelstellingen", "en": "objectives"},
    "objective_1": {"nl": "doelstelling", "en": "objective"},
    "version": {"nl": "versie", "en": "version"},
    "by": {"nl": "door", "en": "by"},
    "until": {"nl": "tegen", "en": "by"},
    "coverage": {"nl": "Data tot en met", "en": "Data up to"},
    "none_match": {"nl": "Geen doelstellingen voor deze filters.",
                   "en": "No objectives match these filters."},
    "title": {"nl": "Doelstelling", "en": "Objective"},
    "id": {"nl": "Nr.", "en": "No."},
}


# -- values -----------------------------------------------------------------------------------

def format_value(value: Any, ind: Any, lang: str = "nl") -> str:
    """A value as its indicator reads on every surface (:mod:`core.vocabulary`); "–" when there
    is none. Without an indicator, one decimal."""
    return value_text(value, ind.style if ind is not None else DEFAULT_STYLE, lang)


# -- filters ----------------------------------------------------------------------------------

def partners_of(rec: dict[str, Any]) -> list[str]:
    """The owner and contributing partners of a record (owner first, no repeats)."""
    return [p for p in dict.fromkeys([rec.get("owner"), *rec.get("partners", [])]) if p]


def all_partners(records: Iterable[dict[str, Any]]) -> list[str]:
    """Every partner (owner or contributor) of the records, alphabetically."""
    return sorted({p for r in records for p in partners_of(r)}, key=str.casefold)


def _fold(text: str) -> str:
    """Text for searching: no accents, case folded."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def in_plan(rec: dict[str, Any], plan: str | None) -> bool:
    """Whether a record belongs to ``plan``: LIVP and ZVP include the objectives both share."""
    if not plan:
        return True
    if plan == "both":
        return rec["plan"] == "both"
    return rec["plan"] in (plan, "both")


def filter_records(records: Iterable[dict[str, Any]], phase: str | None = None,
                   status: str | None = None, partner: str | None = None,
                   plan: str | None = None, q: str | None = None) -> list[dict[str, Any]]:
    """The records that pass every given filter (None or "" means no filter).

    ``partner`` matches the owner and the contributing partners; ``q`` searches the title (in
    Dutch and English) and the id, ignoring case and accents.
    """
    needle = _fold(q.strip()) if q and q.strip() else None
    out = []
    for r in records:
        if phase and r["phase"] != phase:
            continue
        if status and r["status"] != status:
            continue
        if partner and partner not in partners_of(r):
            continue
        if not in_plan(r, plan):
            continue
        if needle and needle not in _fold(" ".join([r["id"], *r["title"].values()])):
            continue
        out.append(r)
    return out


def clean_query(query: dict[str, Any], records: list[dict[str, Any]]) -> dict[str, str | None]:
    """The overview filters from a URL query, unknown values dropped (so a bad link still shows
    the plan)."""
    def one(key: str) -> str | None:
        value = query.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        return str(value).strip() if value not in (None, "") else None

    out = {k: one(k) for k in FILTERS}
    if out["phase"] not in PHASES:
        out["phase"] = None
    if out["status"] not in STATUSES:
        out["status"] = None
    if out["plan"] not in PLANS:
        out["plan"] = None
    if out["partner"] not in all_partners(records):
        out["partner"] = None
    return out


def query_string(lang: str, **filters: Any) -> str:
    """The URL search (``?lang=en&status=...``) for a view; "" when there is nothing to keep."""
    params = {k: v for k, v in filters.items() if v not in (None, "", [])}
    if lang == "en":
        params = {"lang": "en", **params}
    return f"?{urlencode(params)}" if params else ""


# -- grouping ---------------------------------------------------------------------------------

def group_by_phase(records: Iterable[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The records grouped by phase, in the order of the safety chain (proactie, preparatie,
    preventie, reactie, nazorg; unknown phases last); empty phases are left out."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        groups.setdefault(r["phase"], []).append(r)
    order = {ph: i for i, ph in enumerate(PHASES)}
    return sorted(groups.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))


def own_first(records: Iterable[dict[str, Any]],
              partner: str | None) -> list[dict[str, Any]]:
    """The records with ``partner``'s own first (it owns them or contributes), each group in
    its order; all of them as they are without a partner."""
    records = list(records)
    if not partner:
        return records

    def theirs(r: dict[str, Any]) -> bool:
        return r.get("owner") == partner or partner in (r.get("partners") or [])

    return [r for r in records if theirs(r)] + [r for r in records if not theirs(r)]


def multi_area_ids(records: Iterable[dict[str, Any]]) -> set[str]:
    """The objectives that have records for more than one area."""
    seen: dict[str, set[str]] = {}
    for r in records:
        seen.setdefault(r["id"], set()).add(r["area"]["id"])
    return {i for i, areas in seen.items() if len(areas) > 1}


def objective_href(rec: dict[str, Any], lang: str, multi: set[str] | frozenset = frozenset()
                   ) -> str:
    """The link to an objective's detail page, keeping the language and, for an objective with
    several areas, this record's area."""
    area = rec["area"]["id"] if rec["id"] in multi else None
    return href(path_of("objective", objective_id=rec["id"]), lang, area=area)


def objective_link(rec: dict[str, Any], lang: str, multi: set[str] | frozenset = frozenset(),
                   prefix: str = "obj") -> dcc.Link | html.Span:
    """The objective id as a link to its detail page (plain text for a viewer who may not
    open it)."""
    if not may_open_objective(current_viewer(), rec):
        return html.Span(rec["id"], className="obj-id", id=f"{prefix}-{rec['id']}-"
                         f"{rec['area']['id']}")
    return dcc.Link(rec["id"], href=objective_href(rec, lang, multi), className="obj-link",
                    id=f"{prefix}-{rec['id']}-{rec['area']['id']}")


# -- building blocks ------------------------------------------------------------------------

def plan_header(plan: dict[str, Any] | None, lang: str) -> list:
    """The plan's title, version and council approval."""
    if not plan:
        return [html.H1(t("title", lang))]
    bits = [f"{pick(TEXT, 'version', lang)} {plan.get('version') or '–'}"]
    if plan.get("approved_on"):
        approved = f"{t('approved', lang)} {date(plan['approved_on'])}"
        if plan.get("approved_by"):
            approved += f" {pick(TEXT, 'by', lang)} {approver(plan['approved_by'], lang)}"
        bits.append(approved)
    return [html.H1(plan.get("title") or t("title", lang), id="overview-plan-title"),
            html.P(" · ".join(bits), className="plan-meta", id="overview-plan-meta")]


def coverage_line(coverage: list[dict[str, Any]], lang: str) -> html.P:
    """"Data tot en met" per source."""
    items = [html.Span([pick(SOURCE_KINDS, c["kind"], lang), " ",
                        html.Strong(date(c.get("cutoff")))], className="cov-item")
             for c in coverage]
    return html.P([html.Span(pick(TEXT, "coverage", lang) + ": ", className="cov-label"),
                   *_interleave(items, " · ")], className="coverage", id="overview-coverage")


def _interleave(items: list, sep: str) -> list:
    out: list = []
    for i, item in enumerate(items):
        if i:
            out.append(sep)
        out.append(item)
    return out


def tile_body(status: str, count: int, lang: str) -> list:
    """What a status tile shows: the count and the status badge (``all``: every status)."""
    if status == "all":
        label = html.Span(pick(TEXT, "all_statuses", lang), className="badge status-all")
    else:
        label = status_badge(status, lang)
    return [html.Span(number(count, 0, lang), className="tile-count"), label]


def tile_class(status: str, active: str | None) -> str:
    """A tile's class: marked when its status is the one filtered on."""
    on = (status == "all" and not active) or status == active
    return "tile tile-active" if on else "tile"


def tile_counts(counts: dict[str, int]) -> dict[str, int]:
    """Counts per tile, ``all`` included."""
    return {"all": sum(counts.values()), **counts}


def _value_cell(value: Any, measure: Any, lang: str, note: str | None,
                hidden: bool = False) -> list:
    if hidden:
        cell: list = [html.Span(MARK, className="value suppressed",
                                title=pick(TEXT, "suppressed", lang))]
    else:
        cell = [html.Span(format_value(value, measure, lang), className="value")]
    if note:
        cell.append(html.Span(note, className="note"))
    return cell


def objective_row(rec: dict[str, Any], indicators: dict[str, Any], lang: str,
                  multi: set[str] | frozenset = frozenset()) -> list:
    """The cells of one objective in the overview table."""
    ind = indicators.get(rec.get("indicator") or "")
    measure = ind
    ind_title = in_lang(ind.title.model_dump(), lang) if ind is not None else (
        rec.get("indicator") or "–")
    unit = in_lang(rec.get("unit"), lang)
    target = rec["target"]
    hidden = set(rec.get("suppressed") or ())
    return [
        objective_link(rec, lang, multi, prefix="overview-obj"),
        in_lang(rec["title"], lang),
        [html.Span(ind_title), html.Span(unit, className="note")],
        rec["area"].get("name") or rec["area"]["id"],
        _value_cell(rec["baseline"]["value"], measure, lang, rec["baseline"].get("period"),
                    "baseline" in hidden),
        _value_cell(target["value"], measure, lang,
                    f"{pick(TEXT, 'until', lang)} {date(target['deadline'])}"
                    if target.get("deadline") else None, "target" in hidden),
        _value_cell(rec["current"]["value"], measure, lang,
                    format_period(rec["current"].get("period"), lang), "current" in hidden),
        status_badge(rec["status"], lang),
        in_lang(rec["reason"], lang),
    ]


OBJECTIVE_NUMERIC = frozenset({4, 5, 6})


def objectives_header(lang: str) -> list[str]:
    """The overview table's column names."""
    return [pick(TEXT, "id", lang), pick(TEXT, "title", lang), t("indicator", lang),
            t("area", lang), t("baseline", lang), t("target", lang), t("current", lang),
            t("status", lang), t("reason", lang)]


def objectives_table(records: list[dict[str, Any]], indicators: dict[str, Any], lang: str,
                     multi: set[str] | frozenset = frozenset(),
                     table_id: str | None = None) -> Element:
    """The objectives as a table: id, title, indicator, area, baseline, target, current,
    status and reason."""
    return table(objectives_header(lang),
                 [objective_row(r, indicators, lang, multi) for r in records],
                 numeric=set(OBJECTIVE_NUMERIC), table_id=table_id,
                 class_name="grid objectives cards")


def objective_count(n: int, lang: str) -> str:
    """``1 doelstelling``, ``3 doelstellingen``."""
    word = pick(TEXT, "objective_1" if n == 1 else "objectives", lang)
    return f"{number(n, 0, lang)} {word}"


def phase_groups(records: list[dict[str, Any]], indicators: dict[str, Any], lang: str,
                 multi: set[str] | frozenset = frozenset()) -> list:
    """The whole plan as one table, its columns aligned from phase to phase: a group of rows
    per phase of the safety chain (``overview-phase-<phase>``), each under its heading row
    (``overview-group-<phase>``). On a phone the rows become stacked cards."""
    groups = group_by_phase(own_first(records, current_viewer().partner))
    if not groups:
        return [html.P(pick(TEXT, "none_match", lang), className="empty", id="overview-none")]
    header = objectives_header(lang)
    bodies = []
    for phase, recs in groups:
        n = len({r["id"] for r in recs})
        heading = html.Tr(html.Th(html.H2([
            pick(PHASES, phase, lang), " ",
            html.Span(f"({objective_count(n, lang)})", className="muted")]),
            colSpan=len(header), scope="rowgroup", id=f"overview-group-{phase}"),
            className="group-row")
        bodies.append(html.Tbody(
            [heading, *(data_row(header, objective_row(r, indicators, lang, multi),
                                 OBJECTIVE_NUMERIC, "objective-row") for r in recs)],
            id=f"overview-phase-{phase}", className="phase-group"))
    return [html.Table([html.Thead(html.Tr([html.Th(h, scope="col") for h in header])),
                        *bodies], className="grid objectives cards plan-table",
                       id="overview-plan-table")]
