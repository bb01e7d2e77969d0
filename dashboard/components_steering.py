"""Components of the steering cycle: what needs attention, the completeness board, owners'
updates beside the computed status, actions with their state, and an objective's status
timeline ("niet op koers sinds maart 2026").

Pure functions: plain records in, Dash components out. Everything people wrote is shown as
text (Dash never renders it as HTML); statuses and states carry a symbol and a word, never a
colour alone.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from dash import dcc, html

from access.steering.attention import Attention, BoardRow
from access.steering.history import Point, since
from access.steering.reports import Update, overdue
from access.steering.state import disagrees
from core.vocabulary import (
    ACTION_STATES,
    ACTION_SYMBOLS,
    ATTENTION_KINDS,
    JUDGEMENTS,
    MISSING,
    STEERING,
    WRITTEN_IN,
    approver,
    date,
    month,
    number,
    pick,
    reporting_period,
)
from dashboard.components import href, status_badge, table
from dashboard.markup import Element
from dashboard.registry import path_of


def w(key: str, lang: str) -> str:
    """A word of the steering cycle (:data:`core.vocabulary.STEERING`)."""
    return pick(STEERING, key, lang)


def written_at(stamp: str) -> str:
    """A stored UTC time as ``21/11/2026 09:07``."""
    return f"{date(stamp[:10])} {stamp[11:16]}".strip()


def _link(item: Attention, lang: str, steering_path: str) -> str:
    if item.kind == "alert":  # the alert's own page: its weeks and whom it concerns
        return href(path_of("alerts"), lang)
    if item.objective_id:
        return href(path_of("objective", objective_id=item.objective_id), lang,
                    area=item.area_id)
    return href(steering_path, lang, partner=item.partner)


def attention_section(items: list[Attention], lang: str, steering_path: str) -> html.Section:
    """What needs attention, one line and a link each, most urgent first."""
    lines = [html.Li([html.Span(pick(ATTENTION_KINDS, i.kind, lang),
                                className=f"attention-kind kind-{i.kind}"), " ",
                      dcc.Link(i.text[lang], href=_link(i, lang, steering_path))],
                     className="attention-item")
             for i in items]
    body = html.Ul(lines, className="attention-list") if lines else html.P(
        w("attention_none", lang), className="hint")
    return html.Section([html.H2(w("attention", lang)), body], id="attention",
                        className="attention")


def period_line(period: Any, lang: str) -> html.P:
    """``Rapporteringsperiode 3e kwartaal 2026 · update uiterlijk 07/12/2026 · gemeenteraad
    21/12/2026``."""
    parts = [f"{w('reporting_period', lang)}: {reporting_period(period.key, lang)}"]
    if period.due:
        parts.append(f"{w('update_due', lang)}: {date(period.due)}")
    if period.council:
        parts.append(f"{w('council_date', lang)}: {date(period.council)}")
    return html.P(" · ".join(parts), className="period-line", id="steering-period")


def board_table(rows: list[BoardRow], names: dict[str, str], lang: str) -> Element:
    """Per owner partner: its objectives, the updates written and those missing."""
    body = [[names.get(r.partner or "", r.partner or MISSING), len(r.objectives),
             len(r.written),
             (f"{len(r.missing)}: {', '.join(r.missing)}" if r.missing else
              f"✓ {w('written', lang)}")] for r in rows]
    return table([w("partner", lang), w("objectives", lang), w("written", lang),
                  w("missing", lang)], body, numeric={1, 2}, table_id="steering-board")


def update_card(u: Update, computed: str | None, names: dict[str, str],
                lang: str) -> html.Article:
    """One owner's update: the own judgement beside the status from the data, flagged when
    they differ, the texts as written, who wrote it and when."""
    differs = disagrees(u.judgement, computed)
    verdict = [html.Span([html.Strong(f"{w('judgement', lang)}: "),
                          pick(JUDGEMENTS, u.judgement, lang)], className="judgement"),
               html.Span([html.Strong(f"{w('computed', lang)}: "),
                          status_badge(computed, lang) if computed else MISSING],
                         className="computed")]
    if differs:
        verdict.append(html.Span(f"⚠ {w('disagrees', lang)}", className="disagrees"))
    # the texts as the owner wrote them, marked with the language they are written in
    texts = [html.Dt(w("done", lang)),
             html.Dd(u.done, className="update-done", lang=WRITTEN_IN)]
    if u.next:
        texts += [html.Dt(w("next", lang)),
                  html.Dd(u.next, className="update-next", lang=WRITTEN_IN)]
    if u.reason:
        texts += [html.Dt(w("judgement_reason", lang)),
                  html.Dd(u.reason, className="update-reason", lang=WRITTEN_IN)]
    owner = names.get(u.owner or "", u.owner or MISSING)
    return html.Article([
        html.H3([f"{u.objective_id} · {reporting_period(u.period, lang)}"]),
        html.P(verdict, className="verdict"),
        html.Dl(texts),
        html.P(f"{w('owner', lang)}: {owner} · {w('author', lang)}: {u.author} ({u.role}) · "
               f"{written_at(u.written_at)}", className="hint"),
    ], className="update" + (" update-disagrees" if differs else ""),
        id=f"update-{u.update_id}")


def actions_table(actions: list[Any], states: dict[str, str], owners: dict[str, str | None],
                  names: dict[str, str], catalog: dict[str, Any], day: dt.date,
                  lang: str, table_id: str) -> Element:
    """Actions with owner, dates, state (symbol and word), overdue flag and outputs."""
    rows = []
    for a in actions:
        now = states.get(a.id, a.state)
        late = overdue(a.due, now, day)
        state = [html.Span(ACTION_SYMBOLS[now], **{"aria-hidden": "true"}), " ",
                 pick(ACTION_STATES, now, lang)]
        if late:
            state += [" ", html.Strong(f"⚠ {w('overdue', lang)}", className="overdue")]
        outputs = ", ".join(_indicator_name(catalog, o, lang) for o in a.outputs) or MISSING
        rows.append([f"{a.id}", getattr(a.title, lang, None) or a.title.nl,
                     names.get(owners.get(a.id) or "", owners.get(a.id) or MISSING),
                     date(a.start), date(a.due), html.Span(state, className=f"state-{now}"),
                     outputs])
    return table(["id", w("action", lang), w("owner", lang),
                  w("start", lang), w("due", lang), w("action_state", lang),
                  w("outputs", lang)], rows, table_id=table_id)


def _indicator_name(catalog: dict[str, Any], ident: str, lang: str) -> str:
    ind = catalog.get(ident)
    title = getattr(ind, "title", None) if ind is not None else None
    return (getattr(title, lang, None) or getattr(title, "nl", None) or ident) if title else ident


def changes_section(previous: Any, changes: list[Any], lang: str) -> html.Section:
    """Every objective whose status differs from the one at the end of the last reporting
    period: then and now, each with a link."""
    rows = [[dcc.Link(f"{c.objective_id} {c.record['title'][lang]}",
                      href=href(path_of("objective", objective_id=c.objective_id), lang,
                                area=c.area_id)),
             c.record["area"].get("name") or c.area_id,
             status_badge(c.before.status, lang), status_badge(c.now, lang)]
            for c in changes]
    title = f"{w('changes', lang)} ({reporting_period(previous.key, lang)})"
    body = table([w("objective", lang), "", w("status_before", lang), w("status_now", lang)],
                 rows, table_id="steering-changes") if rows else html.P(
        w("no_changes", lang), className="hint")
    return html.Section([html.H2(title), body], id="steering-changes-box")


def plan_versions_section(versions: list[dict[str, Any]], in_force: str | None,
                          before: str | None, changes: list[Any], lang: str) -> html.Section:
    """The plan's versions (the one in force marked) and what changed from the version before
    it: targets, deadlines, objectives and actions added and dropped."""
    rows = [[v["version"] + (f" ({w('in_force', lang)})" if v["version"] == in_force else ""),
             v["title"], date(v["approved_on"]), approver(v["approved_by"], lang) or MISSING,
             v["objectives"], v["actions"]] for v in versions]
    children: list = [html.H2(w("plan_versions", lang)),
                      table([w("version", lang), w("title", lang), w("approved_on", lang),
                             w("approved_by", lang), w("objectives", lang),
                             w("actions", lang)], rows, numeric={4, 5},
                            table_id="steering-plan-versions")]
    if before is not None:
        lines = [html.Li(_change_text(c, lang)) for c in changes] or [
            html.Li(w("no_change", lang))]
        children += [html.H3(f"{w('plan_change', lang)}: {before} → {in_force}"),
                     html.Ul(lines, id="steering-plan-diff")]
    return html.Section(children, id="steering-plans")


def _change_text(c: Any, lang: str) -> str:
    name = "plan" if c.item == "plan" else f"{w(c.item, lang).lower()} {c.ident}"
    if c.kind in ("added", "dropped"):
        return f"{name}: {w(c.kind, lang)}"
    return f"{name} · {c.field}: {_value(c.old, lang)} → {_value(c.new, lang)}"


def _value(value: Any, lang: str) -> str:
    """A changed value the Belgian way: -0,25; 31/12/2027; lists and texts as they are."""
    if value is None:
        return MISSING
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number(value, 0 if float(value).is_integer() else 2, lang)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return date(value)
    return str(value)


def timeline_section(points: list[Point], lang: str) -> html.Div:
    """The status at every recorded refresh, and since when it has been what it is now."""
    if not points:
        return html.P(w("no_history", lang), className="hint")
    first = since(points)
    assert first is not None
    head = html.P([status_badge(first.status, lang), " ", w("since", lang), " ",
                   month(first.as_of, lang)], className="status-since", id="objective-since")
    rows = [[date(p.as_of), status_badge(p.status, lang), p.plan_version or MISSING,
             p.data_version] for p in reversed(points)]
    return html.Div([head, table([w("as_of", lang), w("computed", lang), "plan",
                                  w("data_version", lang)], rows,
                                 table_id="objective-timeline")])


__all__ = ["actions_table", "attention_section", "board_table", "changes_section", "period_line",
           "plan_versions_section",
           "timeline_section", "update_card", "w", "written_at"]
