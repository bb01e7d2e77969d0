"""Access control: every page, callback and download checks the session and the role on the
server, over real HTTP against gunicorn; the public audience and the `dienst` role never receive
incident-level rows or unsuppressed small counts; passwords are salted slow hashes."""

from __future__ import annotations

import http.client
import json
import sqlite3
import statistics
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from tests.conftest import ensure_user, login, serve

#: Which page each role may open: the specification this test holds the server to.
MATRIX = {
    #            overview chain areas partners objective data  export admin steering alerts
    "beheerder": (True, True, True, True, True, True, True, True, True, True),
    "analist": (True, True, True, True, True, True, True, False, False, True),
    "bestuur": (True, True, True, True, True, True, True, False, True, True),
    "politie": (True, True, True, True, True, True, True, False, False, True),
    "dienst": (True, True, True, True, True, False, True, False, True, False),
    "publiek": (True, True, True, True, True, False, True, False, False, False),
}
PAGES = ("overview", "chain", "areas", "partners", "objective", "data", "export", "admin",
         "steering", "alerts")
PATHS = {"overview": "/", "chain": "/keten", "areas": "/wijken", "partners": "/partners",
         "objective": "/doelstelling/REA-01", "data": "/gegevens", "export": "/export",
         "admin": "/beheer", "steering": "/opvolging", "alerts": "/signalen"}
#: The component prefix of each page's own callbacks (the public areas page has its own).
PREFIX_PAGE = {"overview": "overview", "chain": "chain", "areas": "areas",
               "pubareas": "areas", "partners": "partners", "objective": "objective",
               "export": "export", "gegevens": "data", "beheer": "admin",
               "steering": "steering", "alerts": "alerts"}
#: Callbacks that read internal figures: refused for the public audience on any page.
INTERNAL_ONLY = ("areas", "objective")
DIENST_PARTNER = "preventiedienst"  # contributes to PREV-01, not to REA-01
ROLES = ("beheerder", "analist", "bestuur", "politie", "dienst")


#: The state a browser sends with the callbacks (an objective, a table, an audience).
STATE = {"objective-key": {"id": "REA-01", "lang": "nl"}, "export-audience": "public",
         "export-table": "indicator_value", "export-lang": "nl"}


def may(role: str, page: str) -> bool:
    return MATRIX[role][PAGES.index(page)]


# -- plumbing --------------------------------------------------------------------------------


def request(url: str, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, bytes, http.client.HTTPResponse]:
    parts = urlsplit(url)
    con = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    con.request(method, path, body, headers or {})
    res = con.getresponse()
    return res.status, res.read(), res


def callback(url: str, spec: dict, cookie: str | None, path: str | None = None,
             state: dict | None = None, host: str | None = None) -> tuple[int, bytes]:
    """Call one registered callback as the browser would (inputs empty unless given), at
    ``host`` (a tenant's host name) when given."""
    inputs = []
    for i in spec["inputs"]:
        value = (state or {}).get(i["id"])
        if i["id"] == "_pages_location":
            value = path if i["property"] == "pathname" else ""
        inputs.append({"id": i["id"], "property": i["property"], "value": value})
    states = [{"id": s["id"], "property": s["property"],
               "value": (state or {}).get(s["id"])} for s in spec["state"]]
    outputs = [{"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1].split("@")[0]}
               for o in _outputs(spec["output"])]
    body = {"output": spec["output"], "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": inputs, "state": states,
            "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"] if inputs else []}
    headers = {"Content-Type": "application/json", **({"Cookie": cookie} if cookie else {}),
               **({"Host": host} if host else {})}
    status, data, _ = request(url, "POST", "/_dash-update-component",
                              json.dumps(body).encode(), headers)
    return status, data


def _outputs(key: str) -> list[str]:
    return key[2:-2].split("...") if key.startswith("..") else [key]


def page_of(spec: dict) -> str | None:
    """The page a callback belongs to, by the prefix of its (non-shared) outputs."""
    ids = [o.rsplit(".", 1)[0] for o in _outputs(spec["output"])]
    ids = [json.loads(i)["type"] if i.startswith("{") else i for i in ids]
    ids = [i for i in ids if i != "lang-switch"]
    if ids[0] == "_pages_content":
        return "pages"
    pages = {PREFIX_PAGE.get(i.split("-", 1)[0]) for i in ids}
    return pages.pop() if len(pages) == 1 else None


def dependencies(url: str, cookie: str | None, host: str | None = None) -> list[dict]:
    status, data, _ = request(url, "GET", "/_dash-dependencies",
                              headers={**({"Cookie": cookie} if cookie else {}),
                                       **({"Host": host} if host else {})})
    assert status == 200
    return [d for d in json.loads(data) if not d.get("clientside_function")]


@pytest.fixture(scope="module")
def served(demo_city, tmp_path_factory):
    """The demo under gunicorn with one signed-in session per role, and a public server."""
    import shutil

    folder = tmp_path_factory.mktemp("access")
    db = folder / "demo.duckdb"
    shutil.copyfile(demo_city[0].path, db)
    url, proc = serve(db)
    public_url, public_proc = serve(db, "--public")
    cookies = {}
    for role in ROLES:
        password = ensure_user(db, f"t-{role}", role, DIENST_PARTNER if role == "dienst"
                               else None)
        cookies[role] = login(url, f"t-{role}", password)
    yield {"url": url, "public": public_url, "cookies": cookies, "db": db}
    for p in (proc, public_proc):
        p.terminate()
        p.wait(timeout=20)


# -- the matrix ------------------------------------------------------------------------------


def test_every_callback_answers_each_role_as_the_matrix_says(served):
    url, cookies = served["url"], served["cookies"]
    specs = dependencies(url, cookies["beheerder"])
    assert len(specs) >= 12
    for spec in specs:
        page = page_of(spec)
        assert page is not None, f"callback on no known page: {spec['output']}"
        targets = PAGES if page == "pages" else (page,)
        for target in targets:
            path = PATHS[target] if page == "pages" else None
            state = STATE
            # no session, and a forged one: always refused
            for cookie in (None, "ivm_session=eyJ1IjoidC1iZWhlZXJkZXIifQ.forged.sig"):
                status, _ = callback(url, spec, cookie, path, state)
                assert status == 401, (spec["output"], target, cookie, status)
            for role in ROLES:
                status, body = callback(url, spec, cookies[role], path, state)
                internal_only = page != "pages" and any(
                    spec["output"].lstrip(".").startswith(p + "-") for p in INTERNAL_ONLY)
                allowed = may(role, target) and not (
                    target == "objective" and role == "dienst")  # REA-01 is not its partner's
                if internal_only and role == "dienst":
                    allowed = False
                if allowed:
                    assert status not in (401, 403), (spec["output"], target, role, status)
                    if page == "pages":
                        assert status == 200, (target, role, body[:300])
                else:
                    assert status == 403, (spec["output"], target, role, status)
            status, _ = callback(served["public"], spec, None, path, state)
            public_ok = may("publiek", target) and not (
                page != "pages" and spec["output"].lstrip(".").startswith(INTERNAL_ONLY))
            assert (status == 403) != public_ok, (spec["output"], target, "public", status)


def variants(path: str) -> dict[str, str]:
    """Other spellings of ``path`` (name -> spelling): those a server must read as ``path``
    itself, and look-alikes that name no page (case, homoglyphs)."""
    rest = path.lstrip("/")
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" and c != "/" else c
                        for c in rest)
    spellings = {
        "double slash": "//" + rest, "dot segment": "/./" + rest,
        "trailing slash": "/" + rest + "/", "dot-dot": "/x/../" + rest,
        "encoded slashes": "/" + rest.replace("/", "%2F"),
        "encoded twice": "/" + rest.replace("/", "%252F"),
        "fullwidth letters": "/" + fullwidth,
        "upper case": "/" + rest.upper(), "lower case": "/" + rest.lower(),
        "cyrillic o": "/" + rest.replace("o", "\u043e"),
    }
    return {k: v for k, v in spellings.items() if v != path}


#: Spellings that are the same path once normalised (the others name no page).
SAME_PATH = {"double slash", "dot segment", "trailing slash", "dot-dot", "encoded slashes",
             "encoded twice", "fullwidth letters"}


def test_every_spelling_of_a_path_gets_the_answer_of_the_path_itself(served):
    """The access matrix again, for the pages callback, with every path written in the ways
    that once let a dienst account and the public open other objectives (``//doelstelling``):
    a spelling of a path is allowed exactly when the path is, and shows the same page; a
    look-alike that names no page shows no page at all; every refusal is audited with who
    asked; a page asked for under another spelling is redirected to its normal form."""
    from access.store import AccessStore

    url, cookies = served["url"], served["cookies"]
    spec = next(s for s in dependencies(url, cookies["beheerder"]) if page_of(s) == "pages")
    viewers = [(role, f"t-{role}", url, cookies[role]) for role in ROLES] + [
        ("publiek", None, served["public"], None)]
    refused = []
    for target in PAGES:
        path = PATHS[target]
        for role, name, base, cookie in viewers:
            allowed = may(role, target) and not (target == "objective" and role == "dienst")
            frame = f'"page-{target}"'.encode()
            for kind, spelling in variants(path).items():
                status, body = callback(base, spec, cookie, spelling)
                if kind in SAME_PATH:
                    assert status == (200 if allowed else 403), (role, spelling, status)
                    assert (frame in body) == allowed, (role, spelling)
                else:  # a look-alike: refused, or a page that is not the one asked for
                    assert status == 403 or (status == 200 and frame not in body) or (
                        allowed and kind == "lower case" and target == "objective"), \
                        (role, spelling, status)
                if status == 403:
                    refused.append((name, repr(spelling)))
                if kind in ("double slash", "dot segment", "trailing slash", "dot-dot"):
                    # a page by GET: redirected to the path, or answered as the path itself
                    # (Werkzeug reads a leading ``//`` as ``/`` already)
                    headers = {"Cookie": cookie} if cookie else {}
                    status, _, res = request(base, "GET", spelling, headers=headers)
                    assert (status, res.getheader("Location")) in (
                        (308, path), (request(base, "GET", path, headers=headers)[0], None)), \
                        (role, spelling, status)
    assert len(refused) >= 40
    denied = AccessStore.of_warehouse(served["db"]).audit_rows(10000, "access_denied")
    logged = {(r["user_name"], r["detail"]) for r in denied}
    for name, spelling in refused:
        assert any(n == name and spelling in d for n, d in logged), (name, spelling)


def test_the_dienst_role_opens_only_its_partners_objectives(served):
    url, cookie = served["url"], served["cookies"]["dienst"]
    spec = next(s for s in dependencies(url, cookie) if page_of(s) == "pages")
    assert callback(url, spec, cookie, "/doelstelling/PREV-01")[0] == 200
    assert callback(url, spec, cookie, "/doelstelling/REA-01")[0] == 403
    status, _, _ = request(url, "GET", "/doelstelling/REA-01", headers={"Cookie": cookie})
    assert status == 403


def test_pages_without_a_session_send_to_the_sign_in_page_and_data_routes_answer_401(served):
    url = served["url"]
    status, _, res = request(url, "GET", "/wijken?lang=en")
    assert status == 302 and res.getheader("Location").startswith("/login?next=%2Fwijken")
    for path in ("/_dash-layout", "/_dash-dependencies", "/assets/areas.css.map",
                 "/_dash-component-suites/dash/dcc/dash_core_components.js"):
        assert request(url, "GET", path)[0] == 401, path
    status, body, _ = request(url, "GET", "/login")
    assert status == 200 and b"login-form" in body


def test_session_cookies_are_httponly_samesite_and_end_when_idle(served):
    from access.store import AccessStore

    url, db = served["url"], served["db"]
    password = ensure_user(db, "t-idle", "bestuur")
    _, _, res = request(url, "POST", "/login", urlencode(
        {"name": "t-idle", "password": password}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"})
    header = res.getheader("Set-Cookie")
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header
    # over HTTPS (a proxy on the same host, which gunicorn trusts by default) it is Secure
    _, _, res = request(url, "POST", "/login", urlencode(
        {"name": "t-idle", "password": password}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-Proto": "https"})
    assert "; Secure" in res.getheader("Set-Cookie")
    # a session idle for an hour, or signed in 13 hours ago, has ended
    spec = next(s for s in dependencies(url, served["cookies"]["bestuur"])
                if page_of(s) == "pages")
    store = AccessStore.of_warehouse(db)
    for column, hours in (("seen_at", 1), ("started_at", 13)):
        cookie = login(url, "t-idle", password)
        assert callback(url, spec, cookie, "/")[0] == 200
        with sqlite3.connect(store.path) as con:
            con.execute(f"UPDATE app_session SET {column} = {column} - ? "
                        "WHERE user_name = 't-idle' AND ended_at IS NULL", [hours * 3600])
        assert callback(url, spec, cookie, "/")[0] == 401
    reasons = {r["user_name"]: r for r in store.sessions.open()}
    assert "t-idle" not in reasons


def test_a_disabled_user_or_a_new_password_ends_the_session(served):
    from access.store import AccessStore

    url, db = served["url"], served["db"]
    store = AccessStore.of_warehouse(db)
    spec = next(s for s in dependencies(url, served["cookies"]["beheerder"])
                if page_of(s) == "pages")
    password = ensure_user(db, "t-leaver", "politie")
    cookie = login(url, "t-leaver", password)
    assert callback(url, spec, cookie, "/")[0] == 200
    store.set_password("t-leaver", "another long password")
    assert callback(url, spec, cookie, "/")[0] == 401
    cookie = login(url, "t-leaver", "another long password")
    store.set_enabled("t-leaver", False)
    assert callback(url, spec, cookie, "/")[0] == 401
    status, _, _ = request(url, "POST", "/login", urlencode(
        {"name": "t-leaver", "password": "another long password"}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 401


# -- what the public audience and the dienst role receive ------------------------------------


def _texts(node) -> list[str]:
    """Every text in a Dash component tree (JSON), depth first."""
    out: list[str] = []
    if isinstance(node, str):
        out.append(node)
    elif isinstance(node, list):
        for n in node:
            out += _texts(n)
    elif isinstance(node, dict):
        props = node.get("props", node)
        for key in ("children",):
            if key in props:
                out += _texts(props[key])
    return out


def _rows(tree, table_id: str) -> list[list[str]]:
    """The rows (cell texts) of the table with ``table_id`` in a rendered page."""
    found = []

    def walk(node):
        if isinstance(node, list):
            for n in node:
                walk(n)
        elif isinstance(node, dict):
            props = node.get("props", {})
            if props.get("id") == table_id:
                found.append(node)
                return
            walk(props.get("children"))

    walk(tree)
    assert found, f"no table {table_id}"
    rows = []
    # a table's body, or one group of rows (a phase of the overview's plan, under its heading)
    tbody = found[0]["props"]["children"][1] if found[0]["type"] == "Table" else found[0]
    for tr in tbody["props"]["children"]:
        if tr["props"].get("className") == "group-row":
            continue
        rows.append([" ".join(_texts(td["props"].get("children"))) for td in
                     tr["props"]["children"]])
    return rows


def _try_rows(tree, table_id: str) -> list[list[str]]:
    try:
        return _rows(tree, table_id)
    except AssertionError:
        return []


def _page(url: str, path: str, cookie: str | None) -> dict:
    spec = {"output": ".._pages_content.children..._pages_store.data..",
            "inputs": [{"id": "_pages_location", "property": "pathname"},
                       {"id": "_pages_location", "property": "search"}], "state": []}
    status, body = callback(url, spec, cookie, path)
    assert status == 200, (path, body[:300])
    return json.loads(body)["response"]["_pages_content"]["children"]


@pytest.fixture(scope="module")
def public_figures(served):
    from core.warehouse import Warehouse
    from dashboard.export.figures import council_figures

    con = Warehouse(served["db"]).connect_read_only()
    try:
        yield council_figures(con, audience="public")
    finally:
        con.close()


def test_public_and_dienst_pages_show_x_exactly_where_the_public_workbook_suppresses(
        served, public_figures):
    f = public_figures
    assert f.hidden, "the demo has small numbers to suppress"
    views = {"public": (served["public"], None), "dienst": (served["url"],
                                                            served["cookies"]["dienst"])}
    for who, (url, cookie) in views.items():
        tree = _page(url, "/", cookie)
        rows = {(r[0], r[3]): r for phase in ("proactie", "preparatie", "preventie", "reactie",
                                              "nazorg")
                for r in _try_rows(tree, f"overview-phase-{phase}")}
        # a partner's account opens the overview on its partner's objectives
        shown = [o for o in f.objectives if who == "public" or DIENST_PARTNER in (
            [o.record.get("owner"), *o.record.get("partners", [])])]
        assert len(rows) == len(shown) > 0
        for o in shown:
            rec = o.record
            row = rows[(rec["id"], rec["area"]["name"] or rec["area"]["id"])]
            assert row[4].startswith("x") == f.is_hidden(o.base_cell), (who, rec["id"])
            assert row[6].startswith("x") == f.is_hidden(o.current_cell), (who, rec["id"])
            if f.reason_hidden(o):
                assert rec["reason"]["nl"] not in row[8], (who, rec["id"])
        # the areas page: the public workbook's wijk x year table, x where it hides
        tree = _page(url, "/wijken", cookie)
        shown = _rows(tree, "pubareas-table")
        first = next(r for r in f.area_rows if r.indicator.id == f.area_rows[0].indicator.id
                     and r.level == "wijk")
        row = next(r for r in shown if r[0] == first.name)
        for i, year in enumerate(sorted(first.values), start=1):
            assert (row[i] == "x") == f.is_hidden(first.cells[year]), (who, first.name, year)


def test_public_and_dienst_responses_carry_no_incident_level_rows_or_small_counts(
        served, public_figures):
    from core.warehouse import Warehouse

    con = Warehouse(served["db"]).connect_read_only()
    try:
        ids = [r[0] for r in con.execute(
            "SELECT source_id FROM incident USING SAMPLE 200 ROWS").fetchall()]
    finally:
        con.close()
    f = public_figures
    small = {o.record["id"]: o for o in f.objectives
             if f.is_hidden(o.current_cell) and o.record["current"]["numerator"]}
    assert small
    views = [(served["public"], None, ("/", "/keten", "/wijken", "/partners", "/export",
                                       "/doelstelling/PREV-12")),
             (served["url"], served["cookies"]["dienst"],
              ("/", "/keten", "/wijken", "/partners", "/export", "/doelstelling/PREV-12"))]
    for url, cookie, paths in views:
        for path in paths:
            raw = json.dumps(_page(url, path, cookie))
            assert not any(i in raw for i in ids), path
            for oid, o in small.items():
                cur = o.record["current"]
                # the exact numerator and interval of a suppressed value never travel
                for key in ("ci_low", "ci_high"):
                    if cur.get(key):
                        assert repr(cur[key]) not in raw, (path, oid, key)
        # incident-level tables are not downloadable, whatever the request says
        spec = next(s for s in dependencies(url, cookie) if s["output"] == "export-csv-file.data")
        for table, audience in (("incident", "public"), ("incident", "internal"),
                                ("indicator_value", "internal")):
            status, _ = callback(url, spec, cookie, state={"export-table": table,
                                                           "export-audience": audience})
            assert status == 403, (url, table, audience)
        status, body = callback(url, spec, cookie, state={"export-table": "indicator_value",
                                                          "export-audience": "public"})
        import base64

        sent = json.loads(body)["response"]["export-csv-file"]["data"]
        assert status == 200 and b"suppressed" in base64.b64decode(sent["content"])


def test_the_public_server_sends_each_table_exactly_as_the_public_export_makes_it(served):
    """Checked again through every defence above: what the public server's CSV download
    sends is byte for byte the public export (whose figures are those of the public
    workbook, see test_public_suppression), for every table it offers, and nothing else."""
    import base64

    from core.warehouse import Warehouse
    from dashboard.export.tables import table_csv, table_names

    url = served["public"]
    spec = next(s for s in dependencies(url, None) if s["output"] == "export-csv-file.data")
    con = Warehouse(served["db"]).connect_read_only()
    try:
        offered = table_names("public", con, "publiek")
        assert "indicator_value" in offered and "incident" not in offered
        for table in offered:
            for dialect in ("excel", "comma"):  # Belgian Excel (the page's default), scripts
                status, body = callback(url, spec, None, state={
                    "export-table": table, "export-audience": "public",
                    "export-dialect": dialect})
                sent = json.loads(body)["response"]["export-csv-file"]["data"]
                assert status == 200 and base64.b64decode(sent["content"]) == table_csv(
                    con, table, "public", "publiek", dialect), (table, dialect)
    finally:
        con.close()


def test_the_police_may_download_incidents_but_management_may_not(served):
    url = served["url"]
    spec = next(s for s in dependencies(url, served["cookies"]["politie"])
                if s["output"] == "export-csv-file.data")
    state = {"export-table": "incident", "export-audience": "internal"}
    assert callback(url, spec, served["cookies"]["politie"], state=state)[0] == 200
    assert callback(url, spec, served["cookies"]["bestuur"], state=state)[0] == 403


# -- passwords and sign-in -------------------------------------------------------------------


def test_passwords_are_salted_slow_hashes_never_stored_in_clear(tmp_path: Path):
    from access.passwords import N, verify
    from access.store import AccessStore

    store = AccessStore(tmp_path / "a.sqlite")
    store.add_user("een", "bestuur", "hetzelfde lange wachtwoord")
    store.add_user("twee", "analist", "hetzelfde lange wachtwoord")
    raw = (tmp_path / "a.sqlite").read_bytes()
    assert b"hetzelfde lange wachtwoord" not in raw
    with sqlite3.connect(tmp_path / "a.sqlite") as con:
        hashes = dict(con.execute("SELECT name, password_hash FROM app_user").fetchall())
    assert hashes["een"] != hashes["twee"]  # salted
    assert all(h.startswith(f"scrypt${N}$8$1$") for h in hashes.values())
    assert N >= 2**17
    assert verify("hetzelfde lange wachtwoord", hashes["een"])
    assert not verify("hetzelfde lange wachtwoorD", hashes["een"])


def test_a_wrong_password_and_an_unknown_user_look_and_take_the_same(served):
    url, db = served["url"], served["db"]
    ensure_user(db, "t-timing", "bestuur")

    def attempt(name: str) -> tuple[float, int, bytes]:
        t = time.perf_counter()
        status, body, _ = request(url, "POST", "/login", urlencode(
            {"name": name, "password": "not the password"}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded",
             "X-Forwarded-For": name})
        return time.perf_counter() - t, status, body

    # spread over names: each name stays under the failure limit
    wrong = [attempt("t-timing") for _ in range(2)] + [attempt(f"t-{r}") for r in ROLES[:2]]
    unknown = [attempt(f"nobody-{i}") for i in range(4)]
    assert {s for _, s, _ in wrong} == {s for _, s, _ in unknown} == {401}
    message = b"Onbekende gebruiker of fout wachtwoord."
    assert all(message in b for _, _, b in wrong + unknown)
    w = statistics.median(t for t, _, _ in wrong)
    u = statistics.median(t for t, _, _ in unknown)
    assert 0.5 < w / u < 2.0, (w, u)  # both run one scrypt; without it unknown would be ~100x


def test_a_trusted_proxy_may_name_the_user_and_nobody_else_may(demo_copy, monkeypatch):
    ensure_user(demo_copy.path, "t-sso", "bestuur")
    url, proc = serve(demo_copy.path)
    try:  # not configured: the header is ignored
        assert request(url, "GET", "/_dash-layout", headers={"X-Remote-User": "t-sso"})[0] \
            == 401
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    monkeypatch.setenv("IVM_TRUSTED_PROXIES", "127.0.0.1/32")
    url, proc = serve(demo_copy.path)
    try:
        assert request(url, "GET", "/_dash-layout", headers={"X-Remote-User": "t-sso"})[0] \
            == 200
        assert request(url, "GET", "/_dash-layout", headers={"X-Remote-User": "nobody"})[0] \
            == 401
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_the_public_server_needs_no_sign_in_and_shows_the_public_audience_only(served):
    url = served["public"]
    status, _, res = request(url, "GET", "/login")
    assert status == 302
    status, body, _ = request(url, "GET", "/gegevens")
    assert status == 403
    texts = " ".join(_texts(_page(url, "/", None)))
    assert "Publieke versie" in texts and "Afmelden" not in texts


# -- in the browser --------------------------------------------------------------------------


def test_sign_in_shows_the_roles_pages_and_sign_out_leaves_nothing_behind(served, browser):
    url, db = served["url"], served["db"]
    password = ensure_user(db, "t-browser", "dienst", DIENST_PARTNER)
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(url + "/partners")
        assert "/login" in page.url
        page.fill("#login-name", "t-browser")
        page.fill("#login-password", password)
        page.click("#login-submit")
        page.wait_for_selector("#page-partners", timeout=30000)
        nav = page.inner_text("header.top nav")
        assert "Partners" in nav and "Gegevens" not in nav and "Beheer" not in nav
        assert page.inner_text("#nav-user") == "stadsdienst of partner"
        # a city service opens Partners on its own partner
        assert page.is_checked(f"#partners-partner input[value='{DIENST_PARTNER}']")
        page.click("#nav-logout")
        page.wait_for_selector("#login-form", timeout=20000)
        page.go_back()
        page.wait_for_load_state()
        assert page.locator("#page-partners").count() == 0
        assert "/login" in page.url
    finally:
        context.close()
    assert errors == []


# -- the command line ------------------------------------------------------------------------


def test_users_are_managed_and_actions_audited_on_the_command_line(demo_copy):
    from click.testing import CliRunner, Result

    from ivm.cli import main

    db = str(demo_copy.path)

    def ivm(*args: str, stdin: str | None = None) -> Result:
        # in this process (the exit codes and one-line errors of a real process are
        # test_cli_contract's): ten interpreter start-ups less
        return CliRunner().invoke(main, [*args, "--db", db], input=stdin)

    def accounts() -> dict[str, str]:
        return {u["name"]: u["role"]
                for u in json.loads(ivm("user", "list", "--format", "json").stdout)}

    # the shared demo may carry a test administrator (made by a served test before this one)
    earlier = accounts()
    added = ivm("user", "add", "marie", "--role", "dienst", "--partner", "preventiedienst",
                "--generate")
    assert added.exit_code == 0 and "password: " in added.stdout
    assert ivm("user", "add", "kort", "--role", "bestuur", stdin="kort\n").exit_code == 1
    assert "partner_needed" in ivm("user", "add", "x", "--role", "dienst",
                                   "--generate").stderr
    assert ivm("user", "add", "jan", "--role", "bestuur",
               stdin="een lang wachtwoord\n").exit_code == 0
    listed = json.loads(ivm("user", "list", "--format", "json").stdout)
    assert {u["name"]: u["role"] for u in listed} == {**earlier, "marie": "dienst",
                                                      "jan": "bestuur"}
    assert all("scrypt$" not in json.dumps(u) and "password_hash" not in u for u in listed)
    assert ivm("user", "disable", "jan").exit_code == 0
    assert ivm("user", "password", "jan", "--generate").exit_code == 0
    out = Path(db).with_name("w.xlsx")
    assert ivm("export", "council", "--out", str(out)).exit_code == 0
    events = [r["event"] for r in json.loads(ivm("audit", "--format", "json").stdout)]
    assert events[:5] == ["export", "password_changed", "user_disabled", "user_added",
                          "user_added"]


def test_the_demo_makes_one_account_per_role_and_prints_fresh_passwords(demo_copy):
    from access.passwords import verify
    from access.roles import ACCOUNT_ROLES
    from access.store import AccessStore
    from ivm.demo import demo_users

    lines: list[str] = []
    first = demo_users(demo_copy, lines.append)
    store = AccessStore.of_warehouse(demo_copy.path)
    roles = [store.user(n).role for n in first]
    assert set(roles) == set(ACCOUNT_ROLES)
    # a partner account for each owner that writes its own updates in the demo's history
    assert sorted(store.user(n).partner for n in first if store.user(n).role == "dienst") == [
        "GAS-ambtenaar", "politiezone", "preventiedienst"]
    for name, password in first.items():
        assert any(name in line and password in line for line in lines)
        assert verify(password, store.password_hash(name))
    again = demo_users(demo_copy, lambda _line: None)
    assert all(again[n] != first[n] for n in first)  # generated anew, never fixed in code


def test_the_overview_shows_the_council_workbooks_figures_for_both_audiences(
        served, public_figures):
    """Issue 6: one set of figures: the workbook's Samenvatting values (internal and public) are
    what the overview shows, formatted the Belgian way."""
    from core.warehouse import Warehouse
    from dashboard.components_overview import format_value
    from dashboard.export.figures import council_figures

    con = Warehouse(served["db"]).connect_read_only()
    try:
        internal = council_figures(con, audience="internal")
    finally:
        con.close()
    for f, url, cookie in ((internal, served["url"], served["cookies"]["bestuur"]),
                           (public_figures, served["public"], None)):
        tree = _page(url, "/", cookie)
        rows = {(r[0], r[3]): r for phase in ("proactie", "preparatie", "preventie", "reactie",
                                              "nazorg")
                for r in _try_rows(tree, f"overview-phase-{phase}")}
        for o in f.objectives:
            rec = o.record
            row = rows[(rec["id"], rec["area"]["name"] or rec["area"]["id"])]
            ind = f.catalog.indicators.get(rec["indicator"] or "")
            if not f.is_hidden(o.current_cell):
                assert row[6].startswith(format_value(rec["current"]["value"], ind, "nl")), (
                    f.audience, rec["id"], row[6])
            if not f.is_hidden(o.base_cell):
                assert row[4].startswith(format_value(rec["baseline"]["value"], ind, "nl"))
            if not f.reason_hidden(o):
                assert row[8] == rec["reason"]["nl"], (f.audience, rec["id"])
