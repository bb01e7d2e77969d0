"""A partner's share of the plan: the objectives it owns and those it contributes to, with
their statuses, and every partner with its number of objectives.

Pure functions: status records in, numbers or Dash components out.
"""

from __future__ import annotations

from typing import Any

from dash import html

from core.vocabulary import PHASES, STATUSES, in_lang, number, pick
from dashboard.components import status_badge, table
from dashboard.components_overview import multi_area_ids, objective_link, partners_of
from dashboard.i18n import t
from dashboard.markup import Element
from indicators import status_counts

TEXT = {
    "owns": {"nl": "Eigenaar van", "en": "Owner of"},
    "contributes": {"nl": "Draagt bij aan", "en": "Contributes to"},
    "owned": {"nl": "eigenaar", "en": "owner"},
    "contributing": {"nl": "bijdragend", "en": "contributing"},
    "none": {"nl": "Geen.", "en": "None."},
    "title": {"nl": "Doelstelling", "en": "Objective"},
    "id": {"nl": "Nr.", "en": "No."},
    "statuses": {"nl": "Status van de doelstellingen van {p}",
                 "en": "Status of the objectives of {p}"},
}


def partner_summary(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every partner with its number of objectives: owned, contributing and in all (distinct
    objectives); the partner with most objectives first, then alphabetically."""
    owned: dict[str, set[str]] = {}
    contributing: dict[str, set[str]] = {}
    for r in records:
        for p in partners_of(r):
            target = owned if p == r.get("owner") else contributing
            target.setdefault(p, set()).add(r["id"])
    names = set(owned) | set(contributing)
    out = [{"partner": p, "owned": len(owned.get(p, ())),
            "contributing": len(contributing.get(p, ())),
            "total": len(owned.get(p, set()) | contributing.get(p, set()))} for p in names]
    return sorted(out, key=lambda s: (-s["total"], s["partner"].casefold()))


def default_partner(records: list[dict[str, Any]]) -> str | None:
    """The partner with most objectives (None without records)."""
    summary = partner_summary(records)
    return summary[0]["partner"] if summary else None


def partner_records(records: list[dict[str, Any]], partner: str
                    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The records the partner owns, and those it contributes to."""
    owns = [r for r in records if r.get("owner") == partner]
    helps = [r for r in records if r.get("owner") != partner and partner in r.get("partners", [])]
    return owns, helps


def partner_label(s: dict[str, Any], lang: str) -> list:
    """A partner in the list: its name and its objectives (owned / contributing)."""
    return [html.Span(s["partner"], className="partner-name"),
            html.Span(f"{number(s['owned'], 0, lang)} {pick(TEXT, 'owned', lang)} · "
                      f"{number(s['contributing'], 0, lang)} {pick(TEXT, 'contributing', lang)}",
                      className="partner-counts")]


def status_row(records: list[dict[str, Any]], lang: str, row_id: str) -> html.Div:
    """Each status with its badge and count (statuses with none left out)."""
    counts = status_counts(records)
    return html.Div([
        html.Span([status_badge(s, lang), " ", html.Strong(number(n, 0, lang))],
                  className="status-count")
        for s in STATUSES if (n := counts[s])
    ], className="status-row", id=row_id)


def partner_table(records: list[dict[str, Any]], lang: str, show_owner: bool,
                  multi: set[str] | frozenset, table_id: str) -> Element | html.P:
    """The objectives of one group: id (link), title, phase, area, (owner,) status, reason."""
    if not records:
        return html.P(pick(TEXT, "none", lang), className="empty", id=table_id)
    header = [pick(TEXT, "id", lang), pick(TEXT, "title", lang), t("phase", lang),
              t("area", lang)] + ([t("owner", lang)] if show_owner else []) + [
        t("status", lang), t("reason", lang)]
    rows = [[objective_link(r, lang, multi, prefix="partners-obj"), in_lang(r["title"], lang),
             pick(PHASES, r["phase"], lang), r["area"].get("name") or r["area"]["id"]]
            + ([r.get("owner") or "–"] if show_owner else [])
            + [status_badge(r["status"], lang), in_lang(r["reason"], lang)]
            for r in records]
    return table(header, rows, table_id=table_id, class_name="grid objectives partner-table")


def partner_detail(records: list[dict[str, Any]], partner: str, lang: str) -> list:
    """A partner's page body: its status counts, the objectives it owns and those it helps."""
    owns, helps = partner_records(records, partner)
    multi = multi_area_ids(records)
    n_owns, n_helps = len({r["id"] for r in owns}), len({r["id"] for r in helps})
    return [
        html.H2(partner, id="partners-name"),
        html.P(pick(TEXT, "statuses", lang).format(p=partner), className="muted"),
        status_row(owns + helps, lang, "partners-status"),
        html.H3(f"{pick(TEXT, 'owns', lang)} ({number(n_owns, 0, lang)})"),
        partner_table(owns, lang, False, multi, "partners-owned"),
        html.H3(f"{pick(TEXT, 'contributes', lang)} ({number(n_helps, 0, lang)})"),
        partner_table(helps, lang, True, multi, "partners-contributing"),
    ]
