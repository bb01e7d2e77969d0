"""Many cities in one installation: one `ivm serve` hosts several tenants (municipalities or
police zones) from a tenants file, each at its own host names with its own warehouse and
application store. Over real HTTP, for every callback and download, an account of one city gets
nothing of another: no page, no callback output, no file, no audit row; a session of one city
presented at another is refused and noted in both audit logs. Without a tenants file nothing
changes (the rest of the suite serves one city)."""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import openpyxl
import pytest
from click.testing import CliRunner

from access.store import AccessStore
from core.errors import IvmError
from core.tenants import load_tenants
from core.warehouse import Warehouse
from ivm.cli import main
from tests.conftest import (
    DEMO_AS_OF,
    copy_access_store,
    ensure_user,
    free_port,
    wait_until_served,
)
from tests.test_access_control import (
    DIENST_PARTNER,
    PAGES,
    PATHS,
    ROLES,
    STATE,
    callback,
    dependencies,
    page_of,
    request,
)

CITIES = {"aalst": "aalst.ivm.test", "herstappe": "herstappe.ivm.test"}
TENANTS_FILE = """\
tenants:
  - id: aalst
    name: Stad Aalst
    hosts: [aalst.ivm.test]
  - id: herstappe
    name: Gemeente Herstappe
    hosts: [herstappe.ivm.test, www.herstappe.ivm.test]
"""


def _login(url: str, host: str, name: str, password: str) -> tuple[int, str | None]:
    status, _, res = request(url, "POST", "/login", urlencode(
        {"name": name, "password": password}).encode(),
        {"Host": host, "Content-Type": "application/x-www-form-urlencoded"})
    cookie = res.getheader("Set-Cookie")
    return status, cookie.split(";", 1)[0] if status == 302 and cookie else None


def _markers(db: Path, city: str) -> set[str]:
    """What only this city has: the ids of its areas below the municipality (national peers,
    shared by every tenant, name municipalities only) and the names of its accounts."""
    con = Warehouse(db).connect_read_only()
    try:
        rows = con.execute("SELECT area_id FROM area WHERE level <> 'gemeente'").fetchall()
    finally:
        con.close()
    return {r[0] for r in rows if len(r[0]) > 5} | {f"{city}-only-{role}" for role in ROLES}


@pytest.fixture(scope="module")
def cities(demo_city, tmp_path_factory):
    """Aalst (the shared demo, copied) and Herstappe (its own demo plan on its real areas) as
    two tenants of one gunicorn server, with one signed-in account per role in each."""
    from ivm.demo import run_demo

    folder = tmp_path_factory.mktemp("tenants")
    dbs = {city: folder / city / "ivmonitor.duckdb" for city in CITIES}
    dbs["aalst"].parent.mkdir()
    shutil.copyfile(demo_city[0].path, dbs["aalst"])
    copy_access_store(demo_city[0].path, dbs["aalst"])
    run_demo(Warehouse(dbs["herstappe"]), folder / "herstappe-src", 2011, DEMO_AS_OF, False,
             False, lambda _line: None, "city", "Herstappe")
    tenants = folder / "tenants.yaml"
    tenants.write_text(TENANTS_FILE, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:  # a PostgreSQL store (IVM_APP_DB) needs it
        mp.setenv("IVM_TENANTS", str(tenants))
        passwords = {(city, role): ensure_user(dbs[city], f"{city}-only-{role}", role,
                                               DIENST_PARTNER if role == "dienst" else None)
                     for city in CITIES for role in ROLES}
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ivm", "serve", "--port", str(port)],
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "IVM_TENANTS": str(tenants)},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_served(url, proc, "/healthz")
        cookies = {}
        for (city, role), password in passwords.items():
            status, cookie = _login(url, CITIES[city], f"{city}-only-{role}", password)
            assert status == 302 and cookie, (city, role, status)
            cookies[city, role] = cookie
        yield {"url": url, "dbs": dbs, "cookies": cookies, "passwords": passwords,
               "markers": {c: _markers(dbs[c], c) for c in CITIES}, "tenants": tenants}
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _others(city: str) -> str:
    return next(c for c in CITIES if c != city)


def _leaks(body: bytes, markers: set[str]) -> list[str]:
    text = body.decode("utf-8", "replace")
    return sorted(m for m in markers if m in text)


def _calls(specs: list[dict]):
    """Every callback with the page paths it is called for (the pages callback: every page)."""
    for spec in specs:
        page = page_of(spec)
        for target in (PAGES if page == "pages" else (None,)):
            yield spec, PATHS[target] if target else None


def test_every_callback_and_download_refuses_an_account_of_another_city(cities):
    url, cookies = cities["url"], cities["cookies"]
    specs = dependencies(url, cookies["aalst", "beheerder"], CITIES["aalst"])
    assert len(specs) >= 12
    for city, host in CITIES.items():
        other = _others(city)
        for role in ROLES:
            cookie = cookies[other, role]
            for path in ("/", "/beheer", "/export", "/_dash-layout", "/_dash-dependencies"):
                status, body, _ = request(url, "GET", path,
                                          headers={"Host": host, "Cookie": cookie})
                assert status in (302, 401), (city, role, path, status)
                assert not _leaks(body, cities["markers"][city]), (city, role, path)
            for spec, path in _calls(specs):
                status, body = callback(url, spec, cookie, path, STATE, host=host)
                assert status == 401, (city, role, spec["output"], path, status)
                assert not _leaks(body, cities["markers"][city])


def _download(body: bytes) -> bytes:
    """The file a download callback sends (its first output's data), as bytes."""
    sent = next(iter(json.loads(body)["response"].values()))
    data = next(iter(sent.values()))
    return base64.b64decode(data["content"]) if data.get("base64") else data["content"].encode()


def _workbook_text(content: bytes) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
                     for v in row if v is not None).encode()


def test_every_callback_and_download_answers_an_account_with_its_own_city_only(cities):
    url, cookies, markers = cities["url"], cities["cookies"], cities["markers"]
    for city, host in CITIES.items():
        other = _others(city)
        cookie = cookies[city, "beheerder"]
        specs = dependencies(url, cookie, host)
        own: set[str] = set()
        for spec, path in _calls(specs):
            status, body = callback(url, spec, cookie, path, STATE, host=host)
            # answered (a callback with pattern-matching outputs refuses the plain outputs
            # this harness sends, as in the access tests: 500, its own validation, no data)
            answered = status in (200, 204) or (status == 500 and '"type"' in spec["output"])
            assert answered, (city, spec["output"], path, status, body[:200])
            assert not _leaks(body, markers[other]), (city, spec["output"], path)
            own |= set(_leaks(body, markers[city]))
        assert own, f"{city}: no callback showed anything of its own city"
        # the downloads, each with its button pressed: every table the role may have, the
        # council workbook for both audiences
        by_output = {s["output"]: s for s in specs}
        choices = next(s for s in specs if "export-table.options" in s["output"])
        tables = json.loads(callback(url, choices, cookie, None, {"export-audience": "internal"},
                                     host=host)[1])["response"]["export-table"]["options"]
        assert len(tables) >= 5
        files: dict[str, bytes] = {}
        for option in tables:
            state = {"export-csv-button": 1, "export-table": option["value"],
                     "export-audience": "internal", "export-dialect": "excel"}
            status, body = callback(url, by_output["export-csv-file.data"], cookie, None, state,
                                    host=host)
            assert status == 200, (city, option["value"], status)
            files[option["value"]] = _download(body)
        for audience in ("internal", "public"):
            state = {"export-council-button": 1, "export-audience": audience,
                     "export-lang": "nl"}
            status, body = callback(url, by_output["export-council-file.data"], cookie, None,
                                    state, host=host)
            assert status == 200, (city, audience, status)
            files[f"workbook-{audience}"] = _workbook_text(_download(body))
        for name, content in files.items():
            assert not _leaks(content, markers[other]), (city, name)
        assert _leaks(files["area"], markers[city]), f"{city}: its own areas are downloadable"


def test_a_session_of_another_city_is_refused_in_both_audit_logs(cities):
    url, dbs = cities["url"], cities["dbs"]
    cookie = cities["cookies"]["herstappe", "analist"]
    status, _, res = request(url, "GET", "/gegevens",
                             headers={"Host": CITIES["aalst"], "Cookie": cookie})
    assert status == 302 and "/login" in res.getheader("Location")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("IVM_TENANTS", str(cities["tenants"]))
        aalst = AccessStore.of_warehouse(dbs["aalst"]).audit_rows(50, "access_denied")
        herstappe = AccessStore.of_warehouse(dbs["herstappe"]).audit_rows(50, "access_denied")
    here = [r for r in aalst if "session of another tenant ('herstappe'): /gegevens"
            in (r["detail"] or "")]
    assert here and here[0]["user_name"] is None  # Aalst's log names no account of Herstappe
    there = [r for r in herstappe if r["detail"] == "session used at tenant aalst: /gegevens"]
    assert there and there[0]["user_name"] == "herstappe-only-analist"
    # no row of either log names an account of the other city
    for rows, other in ((aalst, "herstappe"), (herstappe, "aalst")):
        assert not any(other + "-only-" in json.dumps(r) for r in rows)


def test_an_account_signs_in_at_its_own_city_only(cities):
    url, passwords = cities["url"], cities["passwords"]
    for city, host in CITIES.items():
        other = _others(city)
        status, cookie = _login(url, host, f"{other}-only-beheerder",
                                passwords[other, "beheerder"])
        assert (status, cookie) == (401, None), (city, status)
    # every host name of a tenant serves it
    status, cookie = _login(url, "www.herstappe.ivm.test:8050", "herstappe-only-politie",
                            passwords["herstappe", "politie"])
    assert status == 302 and cookie.startswith("ivm_session=herstappe.")


def test_a_host_no_tenant_names_gets_nothing_and_readiness_covers_every_tenant(cities):
    url = cities["url"]
    cookie = cities["cookies"]["aalst", "beheerder"]
    for host in ("127.0.0.1", "gent.ivm.test", "aalst.ivm.test.evil", ""):
        for method, path in (("GET", "/"), ("GET", "/login"), ("GET", "/_dash-dependencies"),
                             ("POST", "/_dash-update-component")):
            status, body, _ = request(url, method, path, b"{}" if method == "POST" else None,
                                      {"Host": host, "Cookie": cookie,
                                       "Content-Type": "application/json"})
            assert (status, body) in ((404, b"no such site"), (400, body)), (host, path)
    assert request(url, "GET", "/readyz")[:2] == (200, b"ready\n")


def test_each_city_is_called_by_its_own_name(cities):
    url = cities["url"]
    for city, name in (("aalst", "Stad Aalst"), ("herstappe", "Gemeente Herstappe")):
        _, body, _ = request(url, "GET", "/login", headers={"Host": CITIES[city]})
        assert f"{name} · ivmonitor".encode() in body


# -- the tenants file and the stores ---------------------------------------------------------


@pytest.mark.parametrize("text, says", [
    ("tenants: []\n", "expected 'tenants:' with a list"),
    ("tenants:\n  - id: Aalst\n    hosts: [a.test]\n", "id 'Aalst' is not allowed"),
    ("tenants:\n  - id: a\n    hosts: [a.test]\n  - id: b\n    hosts: [A.test]\n",
     "host 'a.test' is named twice"),
    ("tenants:\n  - id: a\n    hosts: [a.test]\n  - id: a\n    hosts: [b.test]\n",
     "id 'a' is named twice"),
    ("tenants:\n  - id: a\n    hosts: ['a.test:8050']\n", "is not a host name"),
    ("tenants:\n  - id: a\n    hosts: [a.test]\n    database: x\n", "unknown key 'database'"),
    ("tenants:\n  - id: a\n", "expected hosts"),
    ("tenants: [\n", "not a readable YAML file"),
    ("\x00\x01", "not a readable YAML file"),
])
def test_a_bad_tenants_file_is_one_line_naming_the_fault(tmp_path, text, says):
    path = tmp_path / "tenants.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(IvmError) as refused:
        load_tenants(path)
    assert says in str(refused.value) and "\n" not in str(refused.value)


def test_each_tenant_has_its_own_application_store(tmp_path, monkeypatch, app_db):
    (tmp_path / "tenants.yaml").write_text(TENANTS_FILE, encoding="utf-8")
    monkeypatch.setenv("IVM_TENANTS", str(tmp_path / "tenants.yaml"))
    aalst = AccessStore.of_warehouse(tmp_path / "aalst" / "ivmonitor.duckdb")
    herstappe = AccessStore.of_warehouse(tmp_path / "herstappe" / "ivmonitor.duckdb")
    aalst.add_user("jan", "analist", "first-password-1")
    herstappe.add_user("jan", "beheerder", "other-password-2")  # the same name, another person
    assert [(u.name, u.role) for u in aalst.users()] == [("jan", "analist")]
    assert [(u.name, u.role) for u in herstappe.users()] == [("jan", "beheerder")]
    session = aalst.sessions.start("jan", "127.0.0.1")
    assert aalst.sessions.get(session) and herstappe.sessions.get(session) is None
    assert aalst.secret_key() != herstappe.secret_key()
    assert {r["role"] for r in herstappe.audit_rows(event_name="user_added")} == {"beheerder"}
    if app_db:  # one PostgreSQL database, a schema per tenant
        assert "ivm_schema=tenant_herstappe" in repr(herstappe)
    else:
        assert herstappe.path == tmp_path / "herstappe" / "ivmonitor.access.sqlite"
    with pytest.raises(IvmError, match="no tenant's") if app_db else _nothing():
        AccessStore.of_warehouse(tmp_path / "elsewhere.duckdb").users()


def _nothing():
    import contextlib

    return contextlib.nullcontext()


def test_user_add_takes_the_tenant_and_refuses_a_tenant_with_a_file(tmp_path, monkeypatch):
    (tmp_path / "tenants.yaml").write_text(TENANTS_FILE, encoding="utf-8")
    monkeypatch.delenv("IVM_TENANTS", raising=False)
    runner = CliRunner()
    out = runner.invoke(main, ["user", "add", "els", "--role", "bestuur", "--generate",
                               "--tenant", "aalst"])
    assert out.exit_code == 2 and "no tenants file" in out.output
    monkeypatch.setenv("IVM_TENANTS", str(tmp_path / "tenants.yaml"))
    out = runner.invoke(main, ["user", "add", "els", "--role", "bestuur", "--generate",
                               "--tenant", "herstappe"])
    assert out.exit_code == 0, out.output
    assert [u.name for u in AccessStore.of_warehouse(
        tmp_path / "herstappe" / "ivmonitor.duckdb").users()] == ["els"]
    assert not (tmp_path / "aalst").exists()
    out = runner.invoke(main, ["user", "list", "--tenant", "gent"])
    assert out.exit_code == 1 and "no tenant 'gent'" in out.output
    assert "one of aalst, herstappe" in out.output
    out = runner.invoke(main, ["user", "list", "--tenant", "aalst", "--db", "x.duckdb"])
    assert out.exit_code == 2 and "not both" in out.output


def test_a_publish_folder_beside_tenants_is_refused_not_shared_by_the_cities(tmp_path,
                                                                            monkeypatch):
    """One publish folder has one pointer: the cities' loads would move it in turn, so an
    installation with tenants and IVM_PUBLISH_DIR is refused in one line, nothing written."""
    (tmp_path / "tenants.yaml").write_text(TENANTS_FILE, encoding="utf-8")
    monkeypatch.setenv("IVM_TENANTS", str(tmp_path / "tenants.yaml"))
    monkeypatch.setenv("IVM_PUBLISH_DIR", str(tmp_path / "published"))
    out = CliRunner().invoke(main, ["user", "add", "els", "--role", "bestuur", "--generate",
                                    "--tenant", "aalst"])
    assert out.exit_code == 1, out.output
    message = out.output.strip().splitlines()[0]
    assert "IVM_PUBLISH_DIR" in message and "Traceback" not in out.output
    assert not (tmp_path / "aalst").exists() and not (tmp_path / "published").exists()


def test_the_cities_demo_makes_one_tenant_per_municipality(tmp_path):
    from ivm.demo_cities import write_tenants_file

    tenants = write_tenants_file(tmp_path, ["Aalst", "sint-niklaas", "73028"])
    assert [(t.id, t.name, t.hosts) for t in tenants] == [
        ("aalst", "Aalst", ("aalst.localhost",)),
        ("sint-niklaas", "Sint-Niklaas", ("sint-niklaas.localhost",)),
        ("herstappe", "Herstappe", ("herstappe.localhost",))]
    assert tenants.by_id("herstappe").db == tmp_path / "herstappe" / "ivmonitor.duckdb"
    assert tenants.for_host("Herstappe.localhost:8050").id == "herstappe"
    with pytest.raises(IvmError, match="twice"):
        write_tenants_file(tmp_path, ["Aalst", "41002"])
    for args, says in ((["--cities", "Aalst"], "2 to 6 municipalities"),
                       (["--cities", "Aalst,Gent", "--db", "x.duckdb"], "leave out"),
                       (["--cities", "Aalst,Mechlen"], "no municipality 'Mechlen'")):
        out = CliRunner().invoke(main, ["demo", "--out", str(tmp_path / "d"), *args])
        assert out.exit_code == 1 and says in out.output, (args, out.output)


def test_reminders_and_alert_notices_link_to_their_tenants_host(tmp_path, monkeypatch):
    from access.steering.store import Steering

    (tmp_path / "tenants.yaml").write_text(TENANTS_FILE, encoding="utf-8")
    monkeypatch.setenv("IVM_TENANTS", str(tmp_path / "tenants.yaml"))
    monkeypatch.setenv("IVM_DASHBOARD_URL", "https://veiligheid.example.be:8443/")
    steering = Steering.of_warehouse(tmp_path / "herstappe" / "ivmonitor.duckdb")
    assert steering.notices.site == "https://herstappe.ivm.test:8443"
    assert steering.alerts.site == "https://herstappe.ivm.test:8443"
    monkeypatch.delenv("IVM_TENANTS")
    one_city = Steering.of_warehouse(tmp_path / "ivmonitor.duckdb")
    assert one_city.notices.site == "https://veiligheid.example.be:8443"
