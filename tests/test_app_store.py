"""The application store behaves the same on the embedded SQLite file and on a real PostgreSQL
server (``IVM_APP_DB``): accounts, sessions, the sign-in throttle, the audit log, the server's
key, the steering cycle's records, and the schema versions ``ivm migrate`` applies.

Every test here runs twice (the ``app_db`` fixture): once on SQLite, once on a fresh database of
a throwaway PostgreSQL cluster started by the tests.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, select, text, update

from access.app_db import engine_for
from access.app_schema import APP_SCHEMA_VERSION, version_table
from access.roles import ROLES, Viewer
from access.sessions import KEEP_ENDED
from access.steering.store import Steering
from access.store import AccessStore, app_session, audit_log
from core.errors import IvmError

PASSWORD = "een lang genoeg wachtwoord"
REGISTER = ("id;naam;naam_en;soort;niveau;contact\n"
            "politiezone;Politiezone Aalst;Aalst police zone;politiezone;lokaal;pz@aalst.example\n"
            "preventiedienst;Preventiedienst;;stadsdienst;lokaal;\n")


@pytest.fixture
def store(app_db: str, tmp_path: Path) -> AccessStore:
    """The application store of a warehouse in the test's folder, on the backend under test."""
    return AccessStore.of_warehouse(tmp_path / "w.duckdb")


def test_the_setting_chooses_the_database(store: AccessStore, app_db: str, tmp_path: Path):
    if app_db:
        assert store.url.drivername == "postgresql+psycopg" and store.path is None
    else:
        assert store.path == tmp_path / "w.access.sqlite"
    assert store.reachable()
    with engine_for(store.url).connect() as con:
        assert con.execute(select(version_table.c.version)).scalars().all() == list(
            range(1, APP_SCHEMA_VERSION + 1))


def test_the_migrations_make_exactly_the_tables_the_code_declares(store: AccessStore):
    """A store is made by the numbered migrations alone: a table or a column added to the
    metadata without its migration fails here (on both databases)."""
    from access.app_backup import tables

    made = inspect(store.engine)
    hint = "add a numbered step to MIGRATIONS in access/app_schema.py (CONTRIBUTING.md)"
    missing = {t.name for t in tables()} - set(made.get_table_names())
    assert not missing, f"tables no migration makes: {sorted(missing)}: {hint}"
    assert set(made.get_table_names()) == {t.name for t in tables()} | {version_table.name}
    for table in tables():
        columns = set(table.columns.keys()) - {c["name"] for c in made.get_columns(table.name)}
        assert not columns, f"columns of {table.name} no migration makes: {sorted(columns)}: " \
                            f"{hint}"
        assert {c["name"] for c in made.get_columns(table.name)} == set(table.columns.keys()), \
            table.name
        assert {i["name"] for i in made.get_indexes(table.name)} >= {
            i.name for i in table.indexes}, table.name


def test_accounts_sessions_and_the_audit_log(store: AccessStore):
    store.add_user("anna", "beheerder", PASSWORD)
    with pytest.raises(IvmError) as err:
        store.add_user("anna", "bestuur", PASSWORD)
    assert err.value.code == "user_exists"
    assert store.password_hash("anna").startswith("scrypt$")
    first, second = store.sessions.start("anna", "10.0.0.1"), store.sessions.start("anna", None)
    assert store.sessions.get(first).user_name == "anna" and not store.sessions.get(first).proxy
    assert [s["user_name"] for s in store.sessions.open()] == ["anna", "anna"]

    assert store.sessions.end(first, "logout") == "anna"
    assert store.sessions.get(first) is None and store.sessions.get(second) is not None
    store.set_enabled("anna", False)  # a disabled account: every session ends at once
    assert store.sessions.get(second) is None and store.password_hash("anna") is None
    store.set_enabled("anna", True)
    third = store.sessions.start("anna", "10.0.0.1")
    store.set_password("anna", PASSWORD + "!")
    assert store.sessions.get(third) is None

    events = [r["event"] for r in store.audit_rows(10)]
    assert events == ["password_changed", "user_enabled", "user_disabled", "user_added"]
    assert [r["event"] for r in store.audit_rows(10, "user_disabled")] == ["user_disabled"]


def test_an_idle_session_expires_and_old_ones_are_removed(store: AccessStore):
    sessions = store.sessions
    sid = sessions.start("bert", "10.0.0.2")
    with store.engine.begin() as con:  # the last request was longer ago than the idle time
        con.execute(update(app_session).values(seen_at=app_session.c.seen_at - sessions.idle
                                               - 1))
    assert sessions.get(sid) is None
    with store.engine.connect() as con:
        assert con.execute(select(app_session.c.end_reason)).scalar_one() == "expired"
    with store.engine.begin() as con:
        con.execute(update(app_session).values(ended_at=app_session.c.ended_at - KEEP_ENDED
                                               - 1))
    sessions.start("bert", None)  # a new sign-in clears what is kept long enough
    with store.engine.connect() as con:
        assert con.execute(text("SELECT count(*) FROM app_session")).scalar_one() == 1


def test_text_is_stored_alike_on_both_databases(store: AccessStore):
    long_address = "2001:db8::" + "f" * 100
    store.audit("login_failed", "nul\x00byte", None, long_address, "detail\x00 and é ü 😀")
    row = store.audit_rows(1)[0]
    assert row["user_name"] == "nul\ufffdbyte"
    assert row["address"] == long_address[:64]
    assert row["detail"] == "detail\ufffd and é ü 😀"
    assert store.user("nul\x00byte") is None and store.password_hash("x\x00") is None


def test_the_throttle_counts_per_pair_and_reserves_the_wait(store: AccessStore, monkeypatch):
    monkeypatch.setenv("IVM_LOGIN_FREE_FAILURES", "2")
    throttle = store.throttle
    pair = ("carla", "address:10.0.0.3")
    assert throttle.reserve(*pair) == 0.0
    assert throttle.failed(*pair) == 0.0
    assert throttle.failed(*pair) == 1.0  # the free failures are used up: 1 s to wait
    assert throttle.reserve(*pair) > 0  # too soon: refused without a check
    assert throttle.reserve("carla", "address:10.0.0.4") == 0.0  # another address is free
    with store.engine.begin() as con:  # the wait has passed
        con.execute(text("UPDATE login_throttle SET not_before = not_before - 5"))
    # parallel attempts: exactly one gets to check a password, the others wait
    results: list[float] = []
    threads = [threading.Thread(target=lambda: results.append(throttle.reserve(*pair)))
               for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results).count(0.0) == 1
    throttle.cleared(*pair)
    assert throttle.reserve(*pair) == 0.0


def test_the_servers_key_is_made_once(store: AccessStore, tmp_path: Path):
    other = AccessStore.of_warehouse(tmp_path / "w.duckdb")
    keys = []
    threads = [threading.Thread(target=lambda s=s: keys.append(s.secret_key()))
               for s in (store, other, store, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(keys)) == 1 and len(keys[0]) == 64


def test_the_steering_records(store: AccessStore, tmp_path: Path):
    steering = Steering(store)
    register = tmp_path / "partners.csv"
    register.write_text(REGISTER, encoding="utf-8")
    assert "read 2, added 2" in steering.partners.load_file(register)
    assert "nothing to change" in steering.partners.load_file(register)
    beheerder = Viewer("anna", ROLES["beheerder"], None)
    steering.partners.save(beheerder, "jeugdwerk", name_nl="Jeugdwerk", kind="stadsdienst",
                           level="lokaal")
    assert [p.partner_id for p in steering.partners.all()] == [
        "jeugdwerk", "politiezone", "preventiedienst"]
    store.add_user("dirk", "dienst", PASSWORD, partner="preventiedienst")
    with pytest.raises(IvmError):
        store.add_user("eva", "dienst", PASSWORD, partner="nergens")

    version = {"as_of": dt.date(2026, 11, 24), "load_id": 3, "refresh_id": 1}
    record = {"id": "PREV-01", "area": {"id": "41002"}, "status": "on_track",
              "qualifier": None, "rule": "trend", "probability": 0.8,
              "current": {"value": 12.5, "period": "2026"}, "baseline": {"value": 15.0},
              "target": {"value": 10.0}, "progress": 0.5,
              "reason": {"nl": "op koers", "en": "on track"}}
    assert steering.history.record([record], version) == 1
    assert steering.history.record([record], version) == 0  # the same refresh: nothing added
    point = steering.history.timeline("PREV-01", "41002")[0]
    assert (point.as_of, point.status, point.probability, point.data_version) == (
        dt.date(2026, 11, 24), "on_track", 0.8, "3.1")
    events = [r["event"] for r in store.audit_rows(10)]
    assert events.count("partners_loaded") == 1 and "partner_changed" in events


def test_frozen_council_packs(store: AccessStore):
    """A pack's files come back byte for byte (every byte value, as stored); a meeting is frozen
    once unless replaced; a damaged file is refused, never handed out."""
    from access.steering.packs import PackMeta
    from access.steering.tables import council_pack_file

    packs = Steering(store).packs
    meta = PackMeta(dt.date(2026, 12, 21), "2026-Q3", "nl", "LIVP-v2", dt.date(2026, 10, 31),
                    12, 4)
    body = bytes(range(256)) * 64
    files = {(a, k): (f"raadsdossier.{k}", body + a.encode() + k.encode())
             for a in ("internal", "public") for k in ("pdf", "xlsx")}
    first = packs.freeze(meta, files, "anna", "bestuur")
    assert first.data_version == "12.4" and first.audiences() == ["internal", "public"]
    assert packs.content(first.pack_id, "public", "pdf") == files[("public", "pdf")]
    with pytest.raises(IvmError) as err:
        packs.freeze(meta, files, "anna", "bestuur")
    assert err.value.code == "pack_frozen"
    assert packs.packs(in_force_only=False) == [first]
    second = packs.freeze(meta, files, "anna", "bestuur", replace=True, because="correctie")
    assert packs.of_meeting(meta.meeting) == second
    assert packs.pack(first.pack_id).replaced_by == second.pack_id
    events = [r["event"] for r in store.audit_rows(10)]
    assert events[:2] == ["pack_replaced", "pack_frozen"]
    with store.engine.begin() as con:
        con.execute(update(council_pack_file).where(
            council_pack_file.c.pack_id == second.pack_id).values(content=b"tampered"))
    with pytest.raises(IvmError) as err:
        packs.content(second.pack_id, "internal", "pdf")
    assert err.value.code == "pack_damaged"


def test_a_new_store_gets_every_version_and_an_old_one_waits_for_ivm_migrate(
        store: AccessStore, app_db: str, tmp_path: Path, monkeypatch):
    from access import app_schema
    from ivm.cli import main

    engine = store.engine
    added = (APP_SCHEMA_VERSION + 1, "test_note_column",
             lambda con: con.execute(text("ALTER TABLE audit_log ADD COLUMN note VARCHAR(20)")))
    monkeypatch.setattr(app_schema, "MIGRATIONS", [*app_schema.MIGRATIONS, added])
    monkeypatch.setattr(app_schema, "APP_SCHEMA_VERSION", APP_SCHEMA_VERSION + 1)
    if app_db:  # a database server's store is upgraded when its administrator says so
        with pytest.raises(IvmError) as err:
            app_schema.ready(engine)
        assert err.value.code == "app_store_old" and "ivm migrate" in err.value.hint
        db = str(tmp_path / "w.duckdb")
        done = CliRunner().invoke(main, ["migrate", "--db", db])
        assert done.exit_code == 0, done.output
        assert f"application store schema version {APP_SCHEMA_VERSION + 1} (applied " \
               f"{APP_SCHEMA_VERSION + 1})" in done.output
        assert "ivm@127.0.0.1" in done.output
    else:  # the embedded store follows the code
        app_schema.ready(engine)
    columns = {c["name"] for c in inspect(engine).get_columns("audit_log")}
    assert "note" in columns
    assert CliRunner().invoke(main, ["migrate", "--db", str(tmp_path / "w.duckdb")]
                              ).output.count("(applied") == 0  # nothing left to apply


def test_a_failing_migration_changes_nothing_and_a_store_from_before_versions_is_adopted(
        store: AccessStore, monkeypatch):
    from access import app_schema

    engine = store.engine
    store.audit("login", "anna")

    def broken(con):
        con.execute(text("ALTER TABLE audit_log ADD COLUMN half VARCHAR(5)"))
        con.execute(text("SELECT no_such_function()"))

    monkeypatch.setattr(app_schema, "MIGRATIONS", [*app_schema.MIGRATIONS,
                                                   (APP_SCHEMA_VERSION + 1, "broken", broken)])
    with pytest.raises(Exception):  # noqa: B017 (the database's own error)
        app_schema.upgrade(engine)
    with engine.connect() as con:
        assert app_schema.current_version(con) == APP_SCHEMA_VERSION
    if engine.dialect.name == "postgresql":  # DDL is transactional there: no half column
        assert "half" not in {c["name"] for c in inspect(engine).get_columns("audit_log")}
    monkeypatch.setattr(app_schema, "MIGRATIONS", app_schema.MIGRATIONS[:-1])

    with engine.begin() as con:  # a store made before versions were recorded
        con.execute(text("DROP TABLE app_schema_version"))
        con.execute(text("DROP TABLE notice"))
    assert app_schema.upgrade(engine) == list(range(2, APP_SCHEMA_VERSION + 1))
    with engine.connect() as con:
        assert app_schema.current_version(con) == APP_SCHEMA_VERSION
        assert con.execute(select(audit_log.c.user_name)).scalars().all() == ["anna"]
    assert "notice" in inspect(engine).get_table_names()


def test_an_unreachable_database_is_one_clear_line(tmp_path: Path, monkeypatch):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here
    monkeypatch.setenv("IVM_APP_DB", f"postgresql+psycopg://ivm:geheim@127.0.0.1:{port}/x")
    store = AccessStore.of_warehouse(tmp_path / "w.duckdb")
    with pytest.raises(IvmError) as err:
        store.users()
    assert err.value.code == "app_store_unreachable"
    assert "geheim" not in err.value.one_line() and "127.0.0.1" in err.value.one_line()
    assert not store.reachable()
    for bad in ("mysql://x/y", "postgresql+psycopg2://x/y", "sqlite://"):
        monkeypatch.setenv("IVM_APP_DB", bad)
        with pytest.raises(IvmError) as err:
            AccessStore.of_warehouse(tmp_path / "w.duckdb")
        assert err.value.code == "bad_app_db"


def _drop_store_connections(store: AccessStore) -> int:
    """Make the PostgreSQL server end every connection of the store's pool (as a restart or a
    fail-over does); how many it ended."""
    with store.engine.connect() as con:
        own = con.execute(text("SELECT pg_backend_pid()")).scalar_one()
        ended = con.execute(text(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = 'ivmonitor' AND datname = current_database() "
            "AND pid <> :own"), {"own": own}).scalar_one()
    return ended


def test_a_server_that_dropped_the_connections_costs_no_request(
    postgres_cluster, monkeypatch, tmp_path: Path
):
    """The pool pings a connection only after it was idle (not on every request: a round trip
    each); connections the server dropped are replaced without a failed request, whether they
    were idle (pinged) or in steady use (the session read and the readiness check try once
    more)."""
    import access.app_db as app_db_module

    monkeypatch.setenv("IVM_APP_DB", postgres_cluster.database())
    store = AccessStore.of_warehouse(tmp_path / "w.duckdb")
    store.add_user("anna", "beheerder", PASSWORD)
    session = store.sessions.start("anna", None)
    try:
        with store.engine.connect() as a, store.engine.connect() as b:  # two pooled connections
            assert a.execute(text("SELECT 1")).scalar_one() == 1
            assert b.execute(text("SELECT 1")).scalar_one() == 1
        # in steady use (no ping): the session read meets a dead connection and reads again,
        # and so does the readiness check
        assert _drop_store_connections(store) >= 1
        assert store.sessions.get_with_user(session)[1].name == "anna"
        with store.engine.connect() as a, store.engine.connect() as b:
            assert a.execute(text("SELECT 1")).scalar_one() == 1
            assert b.execute(text("SELECT 1")).scalar_one() == 1
        assert _drop_store_connections(store) >= 1
        assert store.reachable()
        # idle for longer than the ping threshold: the ping replaces the dead connection
        monkeypatch.setattr(app_db_module, "PING_IDLE_SECONDS", 0.0)
        assert _drop_store_connections(store) >= 1
        store.add_user("bert", "analist", PASSWORD)  # a write, on a checked connection
        assert store.sessions.get_with_user(session)[0].user_name == "anna"
        assert {u.name for u in store.users()} == {"anna", "bert"}
    finally:
        app_db_module.forget_engines()
