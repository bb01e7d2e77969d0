"""Several app servers behave as one site: two ``ivm serve`` processes on different ports of
127.0.0.1 share one PostgreSQL application store (``IVM_APP_DB``) and one warehouse.

A session signed in on one is valid on the other, a disabled account is refused by both at
the very next request, the sign-in throttle counts attempts made on either, and every event is
in the audit log once. Both answer a load balancer's health and readiness checks without a
sign-in, and say "not ready" when the application store is gone.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner

from access.store import AccessStore
from ivm.cli import main
from tests.conftest import ensure_user, login, serve
from tests.test_access_control import request

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
FREE_FAILURES = 3


@pytest.fixture(scope="module")
def site(demo_city, postgres_cluster, tmp_path_factory):
    """The demo warehouse served by two gunicorn servers with one PostgreSQL app store (made
    by `ivm migrate`), behind a trusted proxy on 127.0.0.1 (tests name the client's address)."""
    folder = tmp_path_factory.mktemp("servers")
    db = folder / "demo.duckdb"
    shutil.copyfile(demo_city[0].path, db)
    url = postgres_cluster.database()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("IVM_APP_DB", url)
        env.setenv("IVM_TRUSTED_PROXIES", "127.0.0.1/32")
        env.setenv("IVM_LOGIN_FREE_FAILURES", str(FREE_FAILURES))
        env.setenv("IVM_LOGIN_MAX_DELAY_SECONDS", "4")
        done = CliRunner().invoke(main, ["migrate", "--db", str(db)])  # in this process
        assert done.exit_code == 0, done.output
        assert "application store schema version" in done.output
        a, proc_a = serve(db, "--workers", "1")
        b, proc_b = serve(db, "--workers", "1")
        yield {"a": a, "b": b, "db": db, "app_db": url, "cluster": postgres_cluster,
               "store": AccessStore(url)}
    for p in (proc_a, proc_b):
        p.terminate()
        p.wait(timeout=20)


def sign_in(url: str, name: str, password: str, address: str) -> int:
    body = urlencode({"name": name, "password": password}).encode()
    return request(url, "POST", "/login", body, {**FORM, "X-Forwarded-For": address})[0]


def page(url: str, cookie: str) -> int:
    """The status of the overview page for the session ``cookie`` (200: served)."""
    return request(url, "GET", "/", None, {"Cookie": cookie})[0]


def events_of(store: AccessStore, user: str) -> list[tuple[int, str]]:
    return [(r["audit_id"], r["event"]) for r in store.audit_rows(1000)
            if r["user_name"] == user]


def test_the_two_servers_share_the_postgresql_store_and_not_a_file(site):
    assert site["a"] != site["b"]
    assert not list(Path(site["db"]).parent.glob("*.sqlite"))


def test_signed_in_on_one_server_is_served_by_the_other(site):
    a, b = site["a"], site["b"]
    password = ensure_user(site["db"], "t-twee", "bestuur")
    cookie = login(a, "t-twee", password)
    assert page(a, cookie) == 200 and page(b, cookie) == 200
    status, _, res = request(b, "POST", "/logout", None, {"Cookie": cookie, "Origin": b})
    assert status in (302, 303)
    assert page(a, cookie) == 302  # signed out on one: the other sends to the sign-in page


def test_a_disabled_account_is_refused_by_both_at_the_next_request(site):
    a, b = site["a"], site["b"]
    password = ensure_user(site["db"], "t-uit", "analist")
    on_a, on_b = login(a, "t-uit", password), login(b, "t-uit", password)
    assert page(a, on_a) == 200 and page(b, on_b) == 200
    site["store"].set_enabled("t-uit", False)  # as `ivm user disable` does
    assert page(a, on_a) == 302 and page(b, on_b) == 302
    assert page(b, on_a) == 302 and page(a, on_b) == 302
    assert sign_in(b, "t-uit", password, "10.9.0.1") == 401


def test_the_throttle_counts_attempts_on_both_servers(site):
    a, b = site["a"], site["b"]
    password = ensure_user(site["db"], "t-raad", "bestuur")
    address = "10.9.1.1"
    for url in [a, b][:FREE_FAILURES - 1]:  # the free failures, on either server
        assert sign_in(url, "t-raad", "fout", address) == 401
    assert sign_in(a, "t-raad", "fout", address) == 401  # the first failure that brings a wait
    assert sign_in(b, "t-raad", password, address) == 429  # counted on a, refused by b
    assert sign_in(a, "t-raad", password, "10.9.1.2") == 302  # the owner elsewhere: at once


def test_every_event_is_in_the_audit_log_once(site):
    a, b, store = site["a"], site["b"], site["store"]
    password = ensure_user(site["db"], "t-log", "analist")
    assert sign_in(a, "t-log", "fout", "10.9.2.1") == 401
    cookie = login(b, "t-log", password)
    request(a, "POST", "/logout", None, {"Cookie": cookie, "Origin": a})
    events = events_of(store, "t-log")
    assert [e for _, e in reversed(events)] == ["user_added", "login_failed", "login", "logout"]
    assert len({i for i, _ in events}) == len(events)


def test_both_servers_answer_health_and_readiness_without_sign_in(site):
    for url in (site["a"], site["b"]):
        status, body, res = request(url, "GET", "/healthz")
        assert (status, body) == (200, b"ok\n")
        status, body, res = request(url, "GET", "/readyz")
        assert (status, body) == (200, b"ready\n")
        assert "Set-Cookie" not in res.headers and res.headers["Cache-Control"] == "no-store"


def test_without_the_application_store_neither_server_is_ready(site):
    """Runs last: the store's database is dropped under the servers."""
    import psycopg

    name = site["app_db"].rsplit("/", 1)[1]
    with psycopg.connect(host="127.0.0.1", port=site["cluster"].port, user="ivm",
                         dbname="postgres", autocommit=True) as con:
        con.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    for url in (site["a"], site["b"]):
        assert request(url, "GET", "/readyz")[:2] == (503, b"not ready\n")
        assert request(url, "GET", "/healthz")[:2] == (200, b"ok\n")



def test_a_warehouse_that_cannot_be_read_is_not_ready(demo_city, tmp_path: Path):
    from core.warehouse import Warehouse
    from dashboard.health import warehouse_readable

    assert warehouse_readable(demo_city[0])
    assert not warehouse_readable(Warehouse(tmp_path / "missing.duckdb"))
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"not a database" * 100)
    assert not warehouse_readable(Warehouse(broken))
