"""The steering cycle's records: the partner register, owners' updates and actions' states, and
the status history, kept in the application store (SQLite next to the warehouse, or PostgreSQL:
the register's tests run on both) so that what people write survives every load; and the demo's
history that shows every part."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from access.roles import ROLES, Viewer
from access.steering.attention import attention, completeness
from access.steering.history import since
from access.steering.state import PlanState
from access.steering.store import Steering
from access.store import access_path
from core.errors import FileRejected, IvmError
from core.warehouse import Warehouse
from ivm.cli import main
from tests.conftest import DEMO_AS_OF

REGISTER = ("id;naam;naam_en;soort;niveau;contact\n"
            "politiezone;Politiezone Aalst;Aalst police zone;politiezone;lokaal;pz@aalst.example\n"
            "preventiedienst;Preventiedienst;;stadsdienst;lokaal;\n")


def _state(wh: Warehouse) -> PlanState:
    con = wh.connect_read_only()
    try:
        return PlanState.read(con)
    finally:
        con.close()


def _viewer(role: str, partner: str | None = None, name: str = "t-user") -> Viewer:
    return Viewer(name, ROLES[role], partner)


# -- the partner register ----------------------------------------------------------------------


def test_the_partner_register_loads_all_or_nothing_and_names_file_row_and_column(warehouse,
                                                                                  write,
                                                                                  app_db):
    register = Steering.of_warehouse(warehouse.path).partners
    bad = write("partners.csv", REGISTER + "jeugdwerk;Jeugdwerk;;vereniging;lokaal;\n")
    with pytest.raises(FileRejected) as err:
        register.load_file(bad)
    assert (err.value.where.row, err.value.where.column) == (4, "soort")
    assert "unknown kind 'vereniging'" in err.value.message
    assert register.all() == []

    good = write("register.csv", REGISTER)
    assert "read 2, added 2" in register.load_file(good)
    assert "nothing to change" in register.load_file(good)
    pz = register.get("politiezone")
    assert (pz.kind, pz.level, pz.name("en"), pz.contact) == (
        "police_zone", "local", "Aalst police zone", "pz@aalst.example")
    assert register.get("preventiedienst").name("en") == "Preventiedienst"


def test_an_unknown_partner_of_an_account_or_a_filter_names_the_close_matches(warehouse, write,
                                                                             app_db):
    runner = CliRunner()
    db = str(warehouse.path)
    assert runner.invoke(main, ["load", "partners", str(write("p.csv", REGISTER)),
                                "--db", db]).exit_code == 0
    added = runner.invoke(main, ["user", "add", "marie", "--role", "dienst", "--partner",
                                 "politezone", "--generate", "--db", db])
    assert added.exit_code == 1
    assert "unknown partner 'politezone'" in added.output
    assert "close matches: politiezone" in added.output
    listed = runner.invoke(main, ["partners", "list", "--format", "json", "--db", db])
    assert [p["partner_id"] for p in json.loads(listed.output)] == ["politiezone",
                                                                    "preventiedienst"]


def test_only_the_beheerder_edits_the_register_and_every_edit_is_audited(warehouse, write,
                                                                         app_db):
    steering = Steering.of_warehouse(warehouse.path)
    steering.partners.load_file(write("p.csv", REGISTER))
    with pytest.raises(IvmError, match="only the beheerder"):
        steering.partners.save(_viewer("bestuur"), "politiezone", contact="x@aalst.example")
    with pytest.raises(IvmError, match="not an e-mail address"):
        steering.partners.save(_viewer("beheerder"), "politiezone", contact="no address")
    steering.partners.save(_viewer("beheerder", name="admin"), "politiezone",
                           contact="onthaal@pz.example")
    assert steering.partners.get("politiezone").contact == "onthaal@pz.example"
    audit = steering.store.audit_rows(event_name="partner_changed")
    assert "contact: 'pz@aalst.example' -> 'onthaal@pz.example'" in audit[0]["detail"]


# -- owners' updates and actions' states -------------------------------------------------------


def test_the_owner_writes_its_update_and_another_partner_cannot(app_db, demo_copy):
    state = _state(demo_copy)
    reports = Steering.of_warehouse(demo_copy.path).reports
    period = state.current(DEMO_AS_OF)
    own = next(o for o in state.plan.objectives if o.owner == "preventiedienst")
    other = next(o for o in state.plan.objectives if o.owner == "politiezone")
    dienst = _viewer("dienst", "preventiedienst", "t-dienst")

    text = "<script>alert(1)</script> =SUM(A1) gedaan"
    u = reports.write_update(dienst, state, period.key, own.id, text, "verder", "at_risk",
                             "trager dan gepland", today=DEMO_AS_OF)
    assert (u.done, u.author, u.role, u.judgement) == (text, "t-dienst", "dienst", "at_risk")
    assert u.computed_status == state.computed_status(own.id)
    assert reports.latest(period.key)[own.id].update_id == u.update_id

    with pytest.raises(IvmError, match="may not write the update") as err:
        reports.write_update(dienst, state, period.key, other.id, "x", None, "on_track", None,
                             today=DEMO_AS_OF)
    assert err.value.code == "not_allowed"
    for role in ("bestuur", "beheerder"):
        reports.write_update(_viewer(role), state, period.key, other.id, "via mail", None,
                             "on_track", None, today=DEMO_AS_OF)
    for role in ("analist", "politie"):
        with pytest.raises(IvmError, match="may not"):
            reports.write_update(_viewer(role), state, period.key, other.id, "x", None,
                                 "on_track", None, today=DEMO_AS_OF)
    audit = Steering.of_warehouse(demo_copy.path).store.audit_rows(event_name="update_written")
    assert audit[0]["user_name"] == "t-user" and other.id in audit[0]["detail"]


@pytest.mark.parametrize("change, code", [
    ({"period": "closed"}, "closed_period"),
    ({"period": "2099-Q1"}, "unknown_period"),
    ({"done": "x" * 2001}, "text_too_long"),
    ({"done": "   "}, "empty_text"),
    ({"reason": "bel\x07"}, "bad_text"),
    ({"judgement": "great"}, "bad_judgement"),
    ({"objective": "PREV-99"}, "unknown_objective"),
])
def test_a_bad_update_is_refused_and_stores_nothing(demo_copy, change, code):
    state = _state(demo_copy)
    reports = Steering.of_warehouse(demo_copy.path).reports
    closed = next(p for p in state.periods if p.council and p.council < DEMO_AS_OF)
    args = {"period": state.current(DEMO_AS_OF).key, "objective": "PREV-01",
            "done": "gedaan", "reason": None, "judgement": "on_track", **change}
    if args["period"] == "closed":
        args["period"] = closed.key
    before = len(reports.updates())
    with pytest.raises(IvmError) as err:
        reports.write_update(_viewer("bestuur"), state, args["period"], args["objective"],
                             args["done"], None, args["judgement"], args["reason"],
                             today=DEMO_AS_OF)
    assert err.value.code == code
    assert len(reports.updates()) == before


def test_an_action_state_is_changed_by_its_owner_only(app_db, demo_copy):
    state = _state(demo_copy)
    reports = Steering.of_warehouse(demo_copy.path).reports
    action = next(a for a in state.plan.actions if state.action_owner(a) == "preventiedienst")
    change = reports.set_action_state(_viewer("dienst", "preventiedienst"), state, action.id,
                                      "postponed", "wacht op de aanbesteding")
    assert reports.action_states(state)[action.id] == "postponed" == change.state
    with pytest.raises(IvmError, match="may not change"):
        reports.set_action_state(_viewer("dienst", "jeugdwerk"), state, action.id, "done")
    with pytest.raises(IvmError, match="is not one of"):
        reports.set_action_state(_viewer("beheerder"), state, action.id, "klaar")
    assert reports.action_states(state)[action.id] == "postponed"


def test_what_people_write_survives_a_load_in_another_process(demo_copy, write):
    state = _state(demo_copy)
    steering = Steering.of_warehouse(demo_copy.path)
    written = steering.reports.write_update(
        _viewer("bestuur"), state, state.current(DEMO_AS_OF).key, "PREV-01", "blijft", None,
        "at_risk", None, today=DEMO_AS_OF)
    history_before = len(steering.history.rows())
    incidents = write("extra.csv", "category,occurred_at,area_code\n"
                                   "bicycle_theft,2026-10-30,41002\n")
    done = subprocess.run([sys.executable, "-m", "ivm", "load", "incidents", str(incidents),
                           "--db", str(demo_copy.path)], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    again = Steering.of_warehouse(demo_copy.path)
    assert again.reports.update(written.update_id) == written
    assert again.partners.get("politiezone") is not None
    assert len(again.history.rows()) > history_before  # the load's refresh was recorded


# -- the status history and the demo's history --------------------------------------------------


def test_every_refresh_is_in_the_status_history_with_its_data_version(demo_city):
    steering = Steering.of_warehouse(demo_city[0].path)
    rows = steering.history.rows()
    as_ofs = sorted({r["as_of"] for r in rows})
    assert as_ofs == ["2025-12-31", "2026-03-31", "2026-06-30", "2026-09-30", "2026-10-31"]
    assert {r["plan_version"] for r in rows} == {"LIVP-2020-2027-v1", "LIVP-2020-2027-v2"}
    area = next(r["area_id"] for r in rows if r["objective_id"] == "PREV-01")
    timeline = steering.history.timeline("PREV-01", area)
    assert [p.as_of.isoformat() for p in timeline] == as_ofs
    assert len({p.data_version for p in timeline}) == 5
    assert since(timeline).status == timeline[-1].status


def test_the_demo_shows_every_part_of_the_steering_cycle(demo_city):
    wh = demo_city[0]
    state = _state(wh)
    steering = Steering.of_warehouse(wh.path)
    assert state.plan_version == "LIVP-2020-2027-v2"
    con = wh.connect_read_only()
    from indicators import diff_plans, plan_versions, stored_plan

    versions = [v["version"] for v in plan_versions(con)]
    lines = [c.line() for c in diff_plans(stored_plan(con, versions[1]),
                                          stored_plan(con, versions[0]))]
    con.close()
    assert "objective PREV-01 target.change: -0.35 -> -0.25" in lines

    updates = steering.reports.updates()
    periods = sorted({u.period for u in updates})
    assert periods == ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
    current = state.current(DEMO_AS_OF)
    assert current.key == "2026-Q3" and current.is_open(DEMO_AS_OF)
    board = completeness(state, current.key, steering.reports.latest(current.key))
    assert any(r.missing for r in board) and any(r.complete for r in board)
    q1 = completeness(state, "2026-Q1", steering.reports.latest("2026-Q1"))
    assert [r.partner for r in q1 if r.missing] == ["brandweerzone"]

    action_states = steering.reports.action_states(state)
    assert set(action_states.values()) == {"planned", "ongoing", "done", "postponed",
                                           "cancelled"}

    before = steering.history.at(state.previous(DEMO_AS_OF).end)
    items = attention(state, steering.reports.latest(current.key), action_states, before,
                      DEMO_AS_OF)
    kinds = {i.kind for i in items}
    assert {"disagrees", "missing_update", "overdue_action"} <= kinds
    assert kinds & {"off_track", "at_risk"}
    overdue = [i for i in items if i.kind == "overdue_action"]
    assert len(overdue) >= 2 and all("lopend" in i.text["nl"] for i in overdue)
    disagree = next(i for i in items if i.kind == "disagrees")
    assert "eigenaar zegt op koers" in disagree.text["nl"]


def test_the_completeness_board_on_the_command_line(demo_city, monkeypatch):
    monkeypatch.setenv("IVM_TODAY", DEMO_AS_OF.isoformat())
    out = CliRunner().invoke(main, ["updates", "--db", str(demo_city[0].path), "--format",
                                    "json"])
    assert out.exit_code == 0, out.output
    rows = {r["partner"]: r for r in json.loads(out.output)}
    assert rows["preventiedienst"]["missing"] == ""
    assert rows["GAS-ambtenaar"]["written"] == 0


def test_the_reporting_calendar_reads_today_from_the_setting(monkeypatch):
    from core.clock import today

    monkeypatch.setenv("IVM_TODAY", "2026-03-01")
    assert today() == dt.date(2026, 3, 1)
    monkeypatch.setenv("IVM_TODAY", "maart")
    with pytest.raises(IvmError, match="IVM_TODAY is not a date"):
        today()


def test_the_history_and_the_register_are_not_in_the_warehouse(demo_city):
    con = demo_city[0].connect_read_only()
    tables = {t for (t,) in con.execute(
        "SELECT table_name FROM information_schema.tables").fetchall()}
    con.close()
    assert "plan_action" in tables
    assert not tables & {"partner", "owner_update", "action_state", "status_history"}
    assert access_path(demo_city[0].path).exists()
