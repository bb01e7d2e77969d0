"""Shared fixtures: a real DuckDB warehouse in a temporary folder, small area sets, writers."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from core.settings import open_data_dir
from core.warehouse import Warehouse
from dashboard.registry import load_pages
from etl.load import load_file

#: Three wijken of a toy city as unit squares side by side (lon 4.00-4.03, lat 50.90-50.91).
TOY_WIJKEN = {
    "41002W01": (4.00, 50.90),
    "41002W02": (4.01, 50.90),
    "41002W03": (4.02, 50.90),
}


def square(lon: float, lat: float, size: float = 0.01) -> dict:
    """A GeoJSON polygon: the square with south-west corner (lon, lat)."""
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture(scope="session", autouse=True)
def server_error_files():
    """The standard-error files of the servers :func:`serve` starts are kept while the session
    runs (a failure quotes them) and removed after it: set up first, so it ends after every
    session fixture that stops a server."""
    yield
    for path in SERVER_ERROR_FILES:
        path.unlink(missing_ok=True)
    SERVER_ERRORS.clear()


@pytest.fixture(scope="session", autouse=True)
def pages() -> dict:
    """The dashboard's pages, registered as a served app registers them: the pure builders
    link to a page by its key (:mod:`dashboard.registry`)."""
    return load_pages()


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    """An empty warehouse file at the current schema version."""
    wh = Warehouse(tmp_path / "ivm.duckdb")
    wh.init()
    return wh


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write text (or bytes) to a file in the test's folder and return its path."""

    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode(encoding))
        return path

    return _write


@pytest.fixture
def toy_city(warehouse: Warehouse, write: Callable[..., Path]) -> Warehouse:
    """A warehouse with a toy city: gemeente, deelgemeente, three wijken (polygons), sectors."""
    levels = write(
        "levels.csv",
        "code,name,level\n41002,Aalst,gemeente\n41002A,Aalst (Dg.),deelgemeente\n",
    )
    load_file(warehouse, "areas", levels)
    features = [
        {"type": "Feature", "properties": {"code": code, "naam": f"Wijk {code[-2:]}",
                                           "gemeente": "41002"},
         "geometry": square(lon, lat)}
        for code, (lon, lat) in TOY_WIJKEN.items()
    ]
    wijken = write("wijken.geojson", json.dumps({"type": "FeatureCollection",
                                                 "features": features}))
    load_file(warehouse, "areas", wijken)
    sectors = write(
        "sectors.csv",
        "statsec,statsec_naam,wijk,deelgemeente,gemeente\n"
        "41002A00-,Winkelcentrum,41002W01,41002A,41002\n"
        "41002A011,Begijnhof,41002W01,41002A,41002\n"
        "41002A100,Rand,41002W02,41002A,41002\n",
    )
    load_file(warehouse, "areas", sectors)
    return warehouse


# -- the application store on both databases ---------------------------------------------------


@pytest.fixture(scope="session")
def postgres_cluster():
    """A real PostgreSQL server for the session (:mod:`tests.postgres`); the tests that need it
    are skipped only when no PostgreSQL server binaries are installed (``.ci/run`` installs
    Debian's ``postgresql``, so CI always runs them)."""
    from tests.postgres import running_cluster, server_binaries

    if server_binaries() is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) on PATH or in "
                    "/usr/lib/postgresql/*/bin: install Debian's postgresql (.ci/run does)")
    with running_cluster() as cluster:
        yield cluster


@pytest.fixture(params=["sqlite", "postgresql"])
def app_db(request, monkeypatch) -> str:
    """The application store a test runs on, as ``IVM_APP_DB``: the embedded SQLite file next
    to the warehouse (empty setting, the default) or a fresh database of the real PostgreSQL
    server."""
    from access.app_db import forget_engines

    if request.param == "sqlite":
        monkeypatch.delenv("IVM_APP_DB", raising=False)
        yield ""
        return
    url = request.getfixturevalue("postgres_cluster").database()
    monkeypatch.setenv("IVM_APP_DB", url)
    yield url
    forget_engines()  # close this database's connections


def open_data(*parts: str) -> Path:
    """A file of the real open data (read in place); skips the test when it is not present."""
    path = open_data_dir().joinpath(*parts)
    if not path.exists():
        pytest.skip(f"open data not present: {path} (set IVM_OPEN_DATA)")
    return path


def query(wh: Warehouse, sql: str, params: list | None = None) -> list[tuple]:
    """The rows a query returns, read from the published warehouse."""
    con = wh.connect_read_only()
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def count(wh: Warehouse, sql: str, params: list | None = None) -> int:
    """The single number a query returns, read from the published warehouse."""
    con = wh.connect_read_only()
    try:
        return con.execute(sql, params or []).fetchall()[0][0]
    finally:
        con.close()




#: The date the shared demo is built as of (its data runs to 31/10/2026).
DEMO_AS_OF = __import__("datetime").date(2026, 11, 24)


@pytest.fixture(scope="session")
def demo_city(tmp_path_factory) -> tuple[Warehouse, Path, list[str]]:
    """The demo city, generated and loaded once per test session through `ivm demo`'s code.

    Tests must not change it; copy it with :func:`demo_copy` to change anything.
    """
    from ivm.demo import run_demo

    folder = tmp_path_factory.mktemp("demo")
    wh = Warehouse(folder / "w.duckdb")
    lines: list[str] = []
    run_demo(wh, folder / "src", 2011, DEMO_AS_OF, False, False, lines.append)
    return wh, folder, lines


@pytest.fixture
def demo_copy(demo_city, tmp_path: Path) -> Warehouse:
    """A private copy of the demo warehouse that a test may change, with a copy of its
    application store (accounts, partner register, owners' updates, status history)."""
    import shutil

    target = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_city[0].path, target)
    copy_access_store(demo_city[0].path, target)
    return Warehouse(target)


def copy_access_store(source_db: Path, target_db: Path) -> None:
    """Copy the (SQLite) application store of one warehouse to another's place, whole: through
    SQLite's backup (a plain file copy would miss what is still in the write-ahead log), or,
    when ``IVM_APP_DB`` names a PostgreSQL database, through a dump restored into it."""
    import os
    import sqlite3

    from access.store import access_path

    source_file = source_db.with_name(source_db.stem + ".access.sqlite")
    if os.environ.get("IVM_APP_DB"):
        from access.app_backup import dump, restore
        from access.store import AccessStore

        rows = target_db.with_name(target_db.name + ".store.jsonl")
        with open(rows, "w", encoding="utf-8") as fh:
            dump(AccessStore(source_file).engine, fh)
        restore(AccessStore.of_warehouse(target_db).engine, rows)
        rows.unlink()
        return
    source = sqlite3.connect(source_file)
    target = sqlite3.connect(access_path(target_db))
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


# -- the dashboard, served for real ----------------------------------------------------------

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"]


class Inbox:
    """An aiosmtpd handler that keeps every message it receives (the real SMTP server the
    e-mail tests start on 127.0.0.1)."""

    def __init__(self):
        import email.message

        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        import email
        import email.policy

        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(
            envelope.original_content, policy=email.policy.default)))
        return "250 OK"


from tests.ports import free_port  # noqa: E402, F401 - the tests import it from here
from tests.serving import COOKIES as _COOKIES  # noqa: E402 - shared state, one module
from tests.serving import CREDENTIALS, SERVER_ERROR_FILES, SERVER_ERRORS  # noqa: E402

TEST_ADMIN = "test-beheerder"


def ensure_user(db: Path, name: str, role: str, partner: str | None = None) -> str:
    """An account in ``db``'s access store (created, or given a new password); its password."""
    from access.passwords import generate
    from access.store import AccessStore

    store = AccessStore.of_warehouse(db)
    password = generate()
    if store.user(name) is None:
        store.add_user(name, role, password, partner)
    else:
        store.set_password(name, password)
    return password


def login(url: str, name: str, password: str) -> str:
    """Sign in over HTTP; the session cookie (``ivm_session=...``)."""
    import http.client
    from urllib.parse import urlencode, urlsplit

    parts = urlsplit(url)
    con = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    con.request("POST", "/login", urlencode({"name": name, "password": password}),
                {"Content-Type": "application/x-www-form-urlencoded"})
    res = con.getresponse()
    res.read()
    if res.status != 302:
        raise RuntimeError(f"login as {name} failed: HTTP {res.status}")
    return res.getheader("Set-Cookie").split(";", 1)[0]


def admin_cookie(url: str) -> str:
    """The test administrator's session cookie for a served dashboard (signed in once)."""
    if url not in _COOKIES:
        _COOKIES[url] = login(url, *CREDENTIALS[url])
    return _COOKIES[url]


def server_errors(url: str, proc: Any = None) -> str:
    """The end of a served test server's standard error (its tracebacks)."""
    if url in SERVER_ERRORS:
        return SERVER_ERRORS[url].read_text(errors="replace")[-3000:]
    if proc is not None and proc.stderr is not None:
        return proc.stderr.read().decode(errors="replace")[-3000:]
    return ""


def serve(db: Path, *extra: str, log: Path | None = None):
    """Start `ivm serve` (gunicorn) for ``db`` on a free loopback port; returns (url, process).

    Unless ``--public`` is among ``extra``, a test administrator is made first: :func:`render`
    and the ``page`` fixture sign in as it. ``log``: a file for the server's log (its
    standard output), else it is dropped."""
    import os
    import subprocess
    import sys
    import tempfile

    password = None if "--public" in extra else ensure_user(db, TEST_ADMIN, "beheerder")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # its standard error in a file (a pipe nobody reads would fill up): a failing request's
    # traceback is shown with the failure (see render)
    fd, errors = tempfile.mkstemp(prefix="ivm-serve-", suffix=".stderr")
    SERVER_ERRORS[url] = Path(errors)
    SERVER_ERROR_FILES.append(Path(errors))
    proc = subprocess.Popen(
        [sys.executable, "-m", "ivm", "serve", "--port", str(port), "--db", str(db), *extra],
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.DEVNULL if log is None else open(log, "ab"),  # noqa: SIM115
        stderr=fd,
    )
    os.close(fd)
    if password is not None:
        CREDENTIALS[url] = (TEST_ADMIN, password)
    wait_until_served(url, proc, "/login", tries=150)
    return url, proc


def wait_until_served(url: str, proc, path: str, tries: int = 300) -> None:
    """Wait until the server ``proc`` answers ``url + path``; its standard error (a pipe) is
    the message when it stops first; terminated and an error when it never answers."""
    import time
    import urllib.request

    for _ in range(tries):
        try:
            urllib.request.urlopen(url + path, timeout=2)
            return
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(server_errors(url, proc)) from None
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("the dashboard did not come up")


def serve_on(db: Path, day: Any, *extra: str):
    """:func:`serve` with the server's today being ``day`` (``IVM_TODAY`` for its processes)."""
    import os

    before = os.environ.get("IVM_TODAY")
    os.environ["IVM_TODAY"] = day.isoformat()
    try:
        return serve(db, *extra)
    finally:
        if before is None:
            os.environ.pop("IVM_TODAY", None)
        else:
            os.environ["IVM_TODAY"] = before


@pytest.fixture(scope="session")
def demo_url(demo_city):
    """The dashboard on the demo city, under gunicorn on 127.0.0.1, for the whole session."""
    url, proc = serve(demo_city[0].path)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (skips when chromium is not installed)."""
    import shutil

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("Debian chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh browser page, signed in as the test administrator of whichever served dashboard
    it visits; ``page.console_errors`` collects console errors (must stay [])."""
    from urllib.parse import urlsplit

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    p = context.new_page()
    goto = p.goto

    def signed_in_goto(url: str, **kw):
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin in CREDENTIALS:
            name, value = admin_cookie(origin).split("=", 1)
            context.add_cookies([{"name": name, "value": value, "url": origin}])
        return goto(url, **kw)

    p.goto = signed_in_goto
    p.console_errors = []
    p.on("console", lambda m: p.console_errors.append(m.text) if m.type == "error" else None)
    p.on("pageerror", lambda e: p.console_errors.append(str(e)))
    yield p
    context.close()


def render(url: str, path: str, search: str = "", cookie: str | None = None) -> str:
    """A page's content as the browser gets it: the pages callback, over real HTTP (JSON),
    signed in as the test administrator (or with ``cookie``)."""
    import json as _json
    import urllib.error
    import urllib.request

    body = {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"},
                    {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                   {"id": "_pages_location", "property": "search", "value": search}],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }
    if cookie is None and url in CREDENTIALS:
        cookie = admin_cookie(url)
    headers = {"Content-Type": "application/json", **({"Cookie": cookie} if cookie else {})}
    req = urllib.request.Request(url + "/_dash-update-component",
                                 data=_json.dumps(body).encode(), headers=headers)
    try:
        return urllib.request.urlopen(req, timeout=60).read().decode()
    except urllib.error.HTTPError as exc:
        if exc.code >= 500:  # the server's traceback with the failure
            raise RuntimeError(f"{path}: HTTP {exc.code}; the server's standard error ends:\n"
                               f"{server_errors(url)}") from exc
        raise


def page_content(url: str, path: str, search: str = "") -> Any:
    """A page's component tree as the pages callback returns it (see :func:`render`)."""
    return json.loads(render(url, path, search))["response"]["_pages_content"]["children"]


def texts(node: Any) -> str:
    """Every text of a rendered component tree, joined by spaces."""
    out: list[str] = []

    def walk(n: Any) -> None:
        if isinstance(n, str | int | float) and not isinstance(n, bool):
            out.append(str(n))
        elif isinstance(n, list):
            for x in n:
                walk(x)
        elif isinstance(n, dict):
            walk(n.get("props", {}).get("children"))
        elif hasattr(n, "to_plotly_json"):  # a component inside a cached view's plain values
            walk(n.to_plotly_json())

    walk(node)
    return " ".join(out)
