"""The demo's history of the steering cycle, played through the product's own paths: the plan
(v1) in force, a refresh as of the end of each of the last four reporting periods (each records
the statuses in the status history, as every refresh does), the owners' updates and actions'
states written on the day they would have been (``etl.demo.steering``), the revised plan (v2)
loaded and put in force at its approval, the council pack of the last council meeting frozen a
week before it (from the figures of that moment), and the final refresh as of the data's
cut-off.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from access.roles import ROLES, Viewer
from access.steering.state import PlanState
from access.steering.store import Steering
from core.warehouse import Warehouse
from etl.demo import DemoLoad
from etl.demo import steering as demo_steering
from indicators import read_plan_file
from ivm.wiring import activate_plan, load_any, plan_version_of, refresh_all


def _state(warehouse: Warehouse) -> PlanState:
    con = warehouse.connect_read_only()
    try:
        return PlanState.read(con)
    finally:
        con.close()


def play_history(warehouse: Warehouse, revision: DemoLoad | None, today: dt.date,
                 data_end: dt.date, echo: Callable[[str], None]) -> None:
    """Refresh as of the last four reporting periods, write what the partners wrote then,
    load the revised plan at its approval, and refresh as of the data's cut-off."""
    steering = Steering.of_warehouse(warehouse.path)
    state = _state(warehouse)
    cur = state.current(today)
    periods = state.periods
    four = [] if cur is None else periods[max(0, periods.index(cur) - 3):periods.index(cur) + 1]
    first = 4 - len(four)
    revised_on = _approval(revision)
    states: dict[str, str] = {}
    pending = revision
    past = [p.council for p in periods if p.council is not None and p.council <= today]
    last_meeting = max(past, default=None)
    for index, period in enumerate(four, start=first):
        if pending is not None and revised_on is not None and revised_on <= period.end:
            _revise(warehouse, pending, echo)
            pending = None
        if period.end <= data_end:
            echo(refresh_all(warehouse, period.end))
        state = _state(warehouse)
        doc = state.plan.model_dump(mode="json")  # type: ignore[union-attr]
        worst = {o["id"]: state.computed_status(o["id"]) for o in doc["objectives"]}
        p = {"key": period.key, "due": period.due, "council": period.council}
        # a demo played again (``--force``) writes nothing twice
        done = {(c.action_id, c.changed_at) for c in steering.reports.action_changes()}
        for c in demo_steering.action_changes(doc, p, index, states, today):
            if (c["action"], c["at"]) not in done:
                steering.reports.set_action_state(_viewer(c), state, c["action"], c["state"],
                                                  c["note"], at=c["at"])
        there = {(u.objective_id, u.written_at)
                 for u in steering.reports.updates(period=period.key)}
        written = demo_steering.updates(doc, p, index, worst, today)
        for u in written:
            if (u["objective"], u["at"]) in there:
                continue
            steering.reports.write_update(_viewer(u), state, u["period"], u["objective"],
                                          u["done"], u["next"], u["judgement"], u["reason"],
                                          today=u["day"], at=u["at"])
        echo(f"reporting period {period.key}: {len(written)} owners' update(s)")
        if period.council is not None and period.council == last_meeting:
            echo(_freeze(warehouse, steering, period.council))
    if pending is not None:
        _revise(warehouse, pending, echo)
    echo(refresh_all(warehouse))


def _freeze(warehouse: Warehouse, steering: Steering, meeting: dt.date) -> str:
    """Freeze the council pack of the last council meeting as the mayor's office did, a week
    before the meeting, from the figures of that moment (once: a demo played again keeps it)."""
    from dashboard.export.pack import freeze_pack

    if steering.packs.of_meeting(meeting) is not None:
        return f"council pack {meeting.isoformat()}: frozen already"
    con = warehouse.connect_read_only()
    try:
        pack = freeze_pack(con, steering, meeting, "demo-bestuur", "bestuur",
                           at=f"{meeting - dt.timedelta(days=7)}T09:00:00Z")
    finally:
        con.close()
    return (f"council pack {meeting.isoformat()}: frozen (data version {pack.data_version}, "
            f"figures up to {pack.as_of.isoformat()})")


def _revise(warehouse: Warehouse, revision: DemoLoad, echo: Callable[[str], None]) -> None:
    """Load the revised plan and put it in force, as the council's approval does."""
    echo(load_any(warehouse, "plan", str(revision.path), revision.profile, True, {},
                  refresh=False).summary())
    version = plan_version_of(str(revision.path))
    activate_plan(warehouse, version, refresh=False)
    echo(f"plan {version} in force")


def _approval(revision: DemoLoad | None) -> dt.date | None:
    return None if revision is None else read_plan_file(revision.path).plan.approved_on


def _viewer(item: dict) -> Viewer:
    return Viewer(item["author"], ROLES[item["role"]], item.get("partner"))


__all__ = ["play_history"]
