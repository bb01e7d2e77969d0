"""The council pack (raadsdossier) of one council meeting: what the council receives, frozen.

:func:`pack_content` gathers what the pack says beside the council workbook's figures: the
owners' updates of the reporting period reported at the meeting, the plan's actions with their
states, and what changed since the previous meeting (statuses that changed, targets and
deadlines revised, new actions, actions completed). :func:`pack_files` builds the workbook
(the council workbook with three more sheets, :mod:`dashboard.export.pack_sheets`) and the PDF
(:mod:`dashboard.export.pack_pdf`) for both audiences; :func:`freeze_pack` stores them with the
data version in the application store (:mod:`access.steering.packs`). ``ivm export council
--meeting`` and the export page both call :func:`freeze_pack`.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from access.steering.attention import BoardRow, StatusChange, completeness, status_changes
from access.steering.packs import Pack, PackMeta
from access.steering.reports import StateChange, Update
from access.steering.state import PlanState
from access.steering.store import Steering
from core.errors import IvmError, Where
from core.vocabulary import PACK, date, pick
from core.workbook import save_reproducible
from dashboard.export.council import build_workbook
from dashboard.export.council_text import LANGS
from dashboard.export.figures import AUDIENCES, Figures, council_figures
from dashboard.export.pack_pdf import pack_pdf
from dashboard.export.pack_sheets import add_pack_sheets
from indicators import Action, Change, ReportingPeriod, diff_plans, meetings, stored_plan

#: The fields of a plan change the pack reports as a revision of a target.
REVISED = ("target", "deadline", "baseline")


@dataclass
class PackContent:
    """What a council pack says beside the workbook's figures."""

    meeting: dt.date
    lang: str
    state: PlanState
    period: ReportingPeriod | None
    previous_meeting: dt.date | None
    updates: dict[str, Update]
    action_states: dict[str, str]
    board: list[BoardRow]
    status_changes: list[StatusChange]
    plan_changes: list[Change]
    new_actions: list[Action]
    completed_actions: list[tuple[Action, StateChange]]
    partner_names: dict[str, str] = field(default_factory=dict)

    def partner(self, partner_id: str | None) -> str:
        """A partner's name in the pack's language (its id when the register lacks it)."""
        if not partner_id:
            return ""
        return self.partner_names.get(partner_id) or partner_id

    def actions_of(self, objective_id: str) -> list[Action]:
        """The plan's actions under an objective."""
        plan = self.state.plan
        return [a for a in plan.actions if a.objective == objective_id] if plan else []


def pack_content(con: duckdb.DuckDBPyConnection, steering: Steering, meeting: dt.date,
                 lang: str = "nl", records: list[dict[str, Any]] | None = None) -> PackContent:
    """What the pack for ``meeting`` says: an error when the plan's reporting calendar has no
    council meeting that day."""
    state = PlanState.read(con, records)
    dates = meetings(state.periods)
    if meeting not in dates:
        near = sorted(sorted(dates, key=lambda d: abs((d - meeting).days))[:4])
        known = ", ".join(date(d) for d in near) or "none"
        raise IvmError("unknown_meeting", f"no council meeting on {date(meeting)} in the "
                       f"reporting calendar of the plan in force (nearest: {known})",
                       Where(field="meeting"), hint="the plan names its council dates under "
                       "plan.reporting.council_dates")
    reported = [p for p in state.periods if p.council == meeting]
    period = reported[-1] if reported else None
    index = dates.index(meeting)
    previous = dates[index - 1] if index else None
    updates = steering.reports.latest(period.key) if period else {}
    before = {}
    if previous is not None:
        seen = [p for p in state.periods if p.council == previous]
        before = steering.history.at(seen[-1].end) if seen else {}
    changes = [c for c in status_changes(state.records, before) if c.before is not None]
    plan_changes, added_actions = _plan_changes(con, state, before)
    new_actions = [a for a in (state.plan.actions if state.plan else [])
                   if a.id in added_actions or (
                       a.start is not None and (previous is None or a.start > previous)
                       and a.start <= meeting)]
    states = steering.reports.action_states(state)
    completed = []
    for action in state.plan.actions if state.plan else []:
        if states.get(action.id) != "done":
            continue
        done = next((c for c in steering.reports.action_changes(action.id)
                     if c.state == "done"), None)
        if done is None:
            continue
        day = dt.date.fromisoformat(done.changed_at[:10])
        if (previous is None or day > previous) and day <= meeting:
            completed.append((action, done))
    names = steering.partners.names(lang)
    return PackContent(meeting, lang, state, period, previous, updates, states,
                       completeness(state, period.key, updates) if period else [], changes,
                       plan_changes, new_actions, completed, names)


def _plan_changes(con: duckdb.DuckDBPyConnection, state: PlanState,
                  before: dict) -> tuple[list[Change], set[str]]:
    """The targets, deadlines and objectives changed since the plan version the council saw
    last (the version most of the statuses it saw rest on), and the actions added since."""
    seen = Counter(p.plan_version for p in before.values() if p.plan_version)
    if not seen or state.plan is None:
        return [], set()
    old_version = seen.most_common(1)[0][0]
    if old_version == state.plan_version:
        return [], set()
    old = stored_plan(con, old_version)
    if old is None:
        return [], set()
    diff = diff_plans(old, state.plan)
    revised = [c for c in diff if c.item == "objective" and (
        c.kind in ("added", "dropped") or (c.field or "").split(".")[0] in REVISED)]
    added = {c.ident for c in diff if c.item == "action" and c.kind == "added"}
    return revised, added


# -- the files --------------------------------------------------------------------------------


def pack_name(meeting: dt.date, audience: str, kind: str) -> str:
    """A pack file's name: ``raadsdossier-2026-12-15.pdf`` (``-publiek`` for the public)."""
    suffix = "" if audience == "internal" else "-publiek"
    return f"raadsdossier-{meeting.isoformat()}{suffix}.{kind}"


def pack_workbook(con: duckdb.DuckDBPyConnection, figures: Figures, content: PackContent,
                  ) -> bytes:
    """The pack's workbook: the council workbook of ``figures`` and the pack's own sheets."""
    wb = build_workbook(con, figures, content.lang)
    add_pack_sheets(wb, figures, content)
    stamp = dt.datetime.combine(figures.as_of, dt.time(0, 0))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pack.xlsx"
        save_reproducible(wb, path, stamp)
        return path.read_bytes()


def pack_files(con: duckdb.DuckDBPyConnection, content: PackContent,
               frozen: dict[str, str]) -> dict[tuple[str, str], tuple[str, bytes]]:
    """Per audience the workbook and the PDF (``frozen``: per audience the line that says
    when and from which data the pack was frozen, and for the internal one by whom)."""
    out = {}
    for audience in AUDIENCES:
        figures = council_figures(con, None, audience)
        out[(audience, "xlsx")] = (pack_name(content.meeting, audience, "xlsx"),
                                   pack_workbook(con, figures, content))
        buffer = io.BytesIO()
        pack_pdf(buffer, figures, content, frozen[audience])
        out[(audience, "pdf")] = (pack_name(content.meeting, audience, "pdf"),
                                  buffer.getvalue())
    return out


def freeze_pack(con: duckdb.DuckDBPyConnection, steering: Steering, meeting: dt.date,
                user: str, role: str, lang: str = "nl", replace: bool = False,
                because: str | None = None, at: str | None = None) -> Pack:
    """Build and store the pack for ``meeting`` from the stored results (refused when the
    meeting has a frozen pack, unless ``replace``; ``at``: the time it is frozen, default
    now). The public PDF says when the pack was frozen, not by which account."""
    from access.store import now

    if lang not in LANGS:
        raise IvmError("bad_lang", f"unknown language '{lang}'", hint="nl or en")
    if not replace:  # say so before the work of building it
        steering.packs.refuse_frozen(meeting)
    content = pack_content(con, steering, meeting, lang)
    meta = _meta(con, meeting, content, lang)
    words = {"d": date(at or now()), "u": user, "v": meta.data_version, "a": date(meta.as_of)}
    frozen = {"internal": pick(PACK, "frozen", lang).format(**words),
              "public": pick(PACK, "frozen_public", lang).format(**words)}
    files = pack_files(con, content, frozen)
    return steering.packs.freeze(meta, files, user, role, replace, because, at)


def _meta(con: duckdb.DuckDBPyConnection, meeting: dt.date, content: PackContent | None,
          lang: str) -> PackMeta:
    from indicators import data_version

    version = data_version(con)
    if version is None:
        raise IvmError("no_results", "the warehouse holds no stored results to freeze",
                       hint="run `ivm refresh` first")
    as_of = version["as_of"]
    as_of = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of)[:10])
    return PackMeta(meeting, content.period.key if content and content.period else None, lang,
                    version.get("plan_version"), as_of, version["load_id"],
                    version["refresh_id"])


__all__ = ["PackContent", "freeze_pack", "pack_content", "pack_files", "pack_name",
           "pack_workbook"]
