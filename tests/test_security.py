"""Security: the attacks of the adversarial review, each replayed against the served app (real
gunicorn, real HTTP, headless Chromium) or the command line, and refused.

- another site can neither sign a user in or out nor run a callback (same-origin rule, JSON
  only), and no redirect after sign-in leaves the site;
- sign-out, a disabled account, a new password and "sign out everywhere" end a session at once,
  on every worker; the cookie carries a random id only;
- failed sign-ins slow the guesser (name and address, or browser), never the account: its owner
  signs in from another address, or from the same one with a browser used before;
- every response carries a Content-Security-Policy (own scripts and styles only) and the other
  security headers, and no page breaks under it on either server;
- every refusal is in the audit log with the user or the address.

Files, inputs and the terminal: ``test_security_files.py``.
"""

from __future__ import annotations

import base64
import json
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from tests.conftest import ensure_user, login, serve
from tests.test_access_control import callback, dependencies, page_of, request

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
FREE_FAILURES = 3
DIENST_PARTNER = "preventiedienst"  # contributes to PREV-01, not to REA-01


@pytest.fixture(scope="module")
def site(demo_city, tmp_path_factory):
    """The demo served twice from one copy: signed in (behind a trusted proxy on 127.0.0.1, so
    tests can name the client's address in X-Forwarded-For, with a small sign-in throttle)
    and public."""
    folder = tmp_path_factory.mktemp("security")
    db = folder / "demo.duckdb"
    shutil.copyfile(demo_city[0].path, db)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("IVM_TRUSTED_PROXIES", "127.0.0.1/32")
        env.setenv("IVM_LOGIN_FREE_FAILURES", str(FREE_FAILURES))
        env.setenv("IVM_LOGIN_MAX_DELAY_SECONDS", "4")
        url, proc = serve(db)
    public_url, public_proc = serve(db, "--public")
    yield {"url": url, "public": public_url, "db": db}
    for p in (proc, public_proc):
        p.terminate()
        p.wait(timeout=20)


def store(db: Path):
    from access.store import AccessStore

    return AccessStore.of_warehouse(db)


def audited(db: Path, event: str, limit: int = 50) -> list[dict]:
    return store(db).audit_rows(limit, event)


def pages_spec(url: str, cookie: str | None) -> dict:
    return next(s for s in dependencies(url, cookie) if page_of(s) == "pages")


def csv_spec(url: str, cookie: str | None) -> dict:
    return next(s for s in dependencies(url, cookie) if s["output"] == "export-csv-file.data")


INCIDENTS = {"export-table": "incident", "export-audience": "internal"}


def sign_in(url: str, name: str, password: str, address: str = "10.1.1.1",
            headers: dict[str, str] | None = None, next_: str | None = None):
    body = {"name": name, "password": password, **({"next": next_} if next_ else {})}
    return request(url, "POST", "/login", urlencode(body).encode(),
                   {**FORM, "X-Forwarded-For": address, **(headers or {})})


# -- the path bypass (the access matrix with path variants is in test_access_control) -------


def test_a_path_spelled_another_way_opens_no_other_partners_objective(site):
    url, db = site["url"], site["db"]
    cookie = login(url, "t-dienst-path", ensure_user(db, "t-dienst-path", "dienst",
                                                      DIENST_PARTNER))
    spec = pages_spec(url, cookie)
    for path in ("//doelstelling/REA-01", "/./doelstelling/REA-01", "/doelstelling%2FREA-01",
                 "/doelstelling/REA-01/", "/x/../doelstelling/REA-01",
                 "/\uff44oelstelling/REA-01"):
        status, body = callback(url, spec, cookie, path)
        assert status == 403, (path, status, body[:200])
    # the public server opens an objective only in its public form, however it is spelled:
    # no indicator id, no owners' follow-up
    status, body = callback(site["public"], pages_spec(site["public"], None), None,
                            "//doelstelling/PREV-01")
    assert status == 200
    assert b"residential_burglary_rate" not in body and b'"steering"' not in body
    refused = [r for r in audited(db, "access_denied", 200) if r["user_name"] == "t-dienst-path"]
    assert any("//doelstelling/REA-01" in (r["detail"] or "") for r in refused)
    # its own objective, however spelled, still opens, on the page Dash routes to
    status, body = callback(url, spec, cookie, "//doelstelling/PREV-01/")
    assert status == 200 and b"\"page-objective\"" in body and b"PREV-01" in body


def test_a_path_that_has_no_normal_form_is_refused_and_audited(site):
    url = site["public"]
    spec = pages_spec(url, None)
    for path in ("/doelstelling/REA-01%0a", "/wijken\x1b[2J", "/%ff", "/a\\b",
                 "/%25252525"):
        assert callback(url, spec, None, path)[0] == 400, path
    details = [r["detail"] for r in audited(site["db"], "request_refused", 100)]
    assert any("%0a" in d for d in details) and all(r["address"] for r in
                                                    audited(site["db"], "request_refused"))


def test_a_page_asked_for_under_another_spelling_is_redirected_to_its_normal_form(site):
    for path, target in (("//wijken/", "/wijken"), ("/./keten?lang=en", "/keten?lang=en"),
                         ("/x/../partners", "/partners")):
        status, _, res = request(site["public"], "GET", path)
        assert status == 308 and res.getheader("Location") == target, (path, status)


# -- the open redirect -----------------------------------------------------------------------

EVIL_NEXT = ["/\t/evil.example", "/%09/evil.example", "//evil.example", "///evil.example",
             "https://evil.example/", "/\\evil.example", "\\\\evil.example", "/%5Cevil.example",
             "/%2F%2Fevil.example", "javascript:alert(1)", " //evil.example",
             "/\u202e/evil.example", "/login?next=//evil.example"]


def _stays_here(location: str | None) -> bool:
    parts = urlsplit(location or "")
    return (location or "").startswith("/") and not location.startswith("//") \
        and not parts.scheme and not parts.netloc and "\\" not in location \
        and all(31 < ord(c) < 127 for c in location)


def test_next_never_leads_to_another_site_on_either_server(site):
    for url in (site["url"], site["public"]):
        for value in EVIL_NEXT:
            # as a browser sends it: the query string percent-encoded
            status, _, res = request(url, "GET", "/login?" + urlencode({"next": value}))
            if status == 302:  # the public server redirects at once
                assert _stays_here(res.getheader("Location")), (url, value)
            else:
                assert status == 200
        # raw in the request line (the review's attack), and with a newline: no 500
        status, _, res = request(url, "GET", "/login?next=/%09/evil.example")
        assert status in (200, 302) and _stays_here(res.getheader("Location") or "/")
        assert request(url, "GET", "/login?next=/%0d%0aSet-Cookie:x=1")[0] in (200, 302)
    # after a real sign-in
    password = ensure_user(site["db"], "t-redirect", "bestuur")
    for value in EVIL_NEXT:
        status, _, res = sign_in(site["url"], "t-redirect", password, next_=value)
        assert status == 302 and _stays_here(res.getheader("Location")), value
    status, _, res = sign_in(site["url"], "t-redirect", password, next_="/wijken?lang=en")
    assert res.getheader("Location") == "/wijken?lang=en"


# -- sessions end on the server --------------------------------------------------------------


def test_a_copied_cookie_is_useless_after_sign_out_on_every_worker(site):
    url, db = site["url"], site["db"]
    cookie = login(url, "t-police", ensure_user(db, "t-police", "politie"))
    spec = csv_spec(url, cookie)
    assert callback(url, spec, cookie, state=INCIDENTS)[0] == 200
    status, _, res = request(url, "POST", "/logout", headers={"Cookie": cookie})
    assert status == 302 and "ivm_session=;" in res.getheader("Set-Cookie")
    # the copy still sent by an attacker: refused by every worker, every time
    for _ in range(8):
        assert callback(url, spec, cookie, state=INCIDENTS)[0] == 401
        assert request(url, "GET", "/_dash-layout", headers={"Cookie": cookie})[0] == 401
    assert any(r["user_name"] == "t-police" for r in audited(db, "logout"))


def test_the_cookie_carries_a_random_id_and_the_store_only_its_hash(site):
    url, db = site["url"], site["db"]
    name = "t-cookie"
    value = login(url, name, ensure_user(db, name, "bestuur")).split("=", 1)[1]
    other = login(url, name, ensure_user(db, name, "bestuur")).split("=", 1)[1]
    assert value != other and len(value) >= 40 and "." not in value
    assert name.encode() not in base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    with sqlite3.connect(store(db).path) as con:
        rows = con.execute("SELECT session_hash FROM app_session WHERE user_name = ?",
                           [name]).fetchall()
    assert rows and all(value not in h and len(h) == 64 for (h,) in rows)
    assert value.encode() not in store(db).path.read_bytes()
    # a made-up id, or one of the old signed cookies, opens nothing
    for forged in ("x" * 43, "eyJ1IjoidC1jb29raWUifQ.Zz.sig"):
        assert request(url, "GET", "/_dash-layout",
                       headers={"Cookie": f"ivm_session={forged}"})[0] == 401


def test_an_administrator_signs_a_user_out_everywhere_at_once(site):
    url, db = site["url"], site["db"]
    password = ensure_user(db, "t-everywhere", "analist")
    phone, laptop = (login(url, "t-everywhere", password) for _ in range(2))
    spec = pages_spec(url, phone)
    admin = login(url, "t-admin", ensure_user(db, "t-admin", "beheerder"))
    admin_spec = next(s for s in dependencies(url, admin)
                      if s["output"] == "beheer-sessions.children")
    inputs = [{"id": {"type": "beheer-signout", "user": "t-everywhere"},
               "property": "n_clicks", "value": 1}]
    body = {"output": admin_spec["output"],
            "outputs": {"id": "beheer-sessions", "property": "children"},
            "inputs": [inputs, {"id": "beheer-signout-all", "property": "n_clicks",
                                "value": None}],
            "state": [{"id": "beheer-lang", "property": "data", "value": "nl"}],
            "changedPropIds": ['{"type":"beheer-signout","user":"t-everywhere"}.n_clicks']}
    # not for a role without Beheer
    status, _, _ = request(url, "POST", "/_dash-update-component", json.dumps(body).encode(),
                           {"Content-Type": "application/json", "Cookie": phone})
    assert status == 403
    status, data, _ = request(url, "POST", "/_dash-update-component", json.dumps(body).encode(),
                              {"Content-Type": "application/json", "Cookie": admin})
    shown = json.dumps(json.loads(data), ensure_ascii=False)
    assert status == 200 and "2 sessie(s) beëindigd" in shown, shown[:300]
    for cookie in (phone, laptop):
        assert callback(url, spec, cookie, "/")[0] == 401
    assert callback(url, spec, admin, "/")[0] == 200  # the administrator's own stays
    ended = audited(db, "sessions_ended")[0]
    assert ended["user_name"] == "t-admin" and "t-everywhere" in ended["detail"]
    # and from the command line, for every user
    cookie = login(url, "t-everywhere", password)
    out = subprocess.run([sys.executable, "-m", "ivm", "user", "signout", "--all", "--db",
                          str(db)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "session(s) of every user ended" in out.stdout
    assert callback(url, spec, cookie, "/")[0] == 401
    assert callback(url, spec, admin, "/")[0] == 401


# -- cross-site requests ---------------------------------------------------------------------


def test_another_site_can_neither_sign_in_nor_out_nor_call_back(site):
    url, db = site["url"], site["db"]
    password = ensure_user(db, "t-csrf", "bestuur")
    host = urlsplit(url).netloc
    for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"},
                    {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                    {"Origin": f"http://{host}.evil.example"}):
        status, _, res = sign_in(url, "t-csrf", password, "10.9.9.9", headers)
        assert status == 403 and not res.getheader("Set-Cookie"), headers
    # this site's own form (what browsers send with it) works
    for headers in ({"Origin": f"http://{host}"}, {"Sec-Fetch-Site": "same-origin"}):
        assert sign_in(url, "t-csrf", password, "10.9.9.9", headers)[0] == 302
    cookie = login(url, "t-csrf", password)
    spec = pages_spec(url, cookie)
    # sign-out from another site: refused, the session lives on
    status, _, _ = request(url, "POST", "/logout", headers={
        "Cookie": cookie, "Origin": "https://evil.example"})
    assert status == 403 and callback(url, spec, cookie, "/")[0] == 200
    # a callback from another site, or as a form or text body a page can send without asking
    body = json.dumps({"output": spec["output"], "inputs": [], "state": []}).encode()
    for headers in ({"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"},
                    {"Content-Type": "text/plain"},
                    {"Content-Type": "application/x-www-form-urlencoded"},
                    {"Content-Type": "multipart/form-data; boundary=x"}):
        status, _, _ = request(url, "POST", "/_dash-update-component", body,
                               {"Cookie": cookie, **headers})
        assert status in (403, 415), (headers, status)
    # JSON that is no callback at all: refused as malformed
    for junk in (b"[]", b"not json", b'{"output": 1}'):
        status, _, _ = request(url, "POST", "/_dash-update-component", junk,
                               {"Cookie": cookie, "Content-Type": "application/json"})
        assert status == 400, junk
    refused = audited(db, "request_refused", 100)
    assert sum("cross-site POST /login" in r["detail"] and r["address"] == "10.9.9.9"
               for r in refused) >= 5
    assert any(r["user_name"] == "t-csrf" and "/logout" in r["detail"] for r in refused)
    assert any(r["user_name"] == "t-csrf" and "text/plain" in r["detail"] for r in refused)
    assert sum(r["user_name"] == "t-csrf" and "callback body without an output" in r["detail"]
               for r in refused) == 3


# -- throttling without lock-out -------------------------------------------------------------


def test_a_guesser_slows_himself_and_the_owner_still_signs_in(site):
    url, db = site["url"], site["db"]
    password = ensure_user(db, "t-victim", "bestuur")
    attacker = "10.66.0.1"
    # the owner signed in before with this browser (the same address as the attacker: one
    # gateway for the whole city)
    _, _, res = sign_in(url, "t-victim", password, attacker)
    mark = next(c.split(";", 1)[0] for c in res.headers.get_all("Set-Cookie")
                if c.startswith("ivm_browser="))
    waits = []
    while len(waits) < 3:
        status, body, res = sign_in(url, "t-victim", "a wrong guess", attacker)
        if status == 429:
            waits.append(int(res.getheader("Retry-After")))
            assert f"Probeer het over {waits[-1]} seconden opnieuw".encode() in body
            time.sleep(waits[-1])  # slowed down, not locked out: after the wait, heard again
        else:
            assert status == 401
    assert waits == sorted(waits) and waits[-1] > waits[0]  # backing off
    assert sign_in(url, "t-victim", "a wrong guess", attacker)[0] == 401
    # right now the guesser is refused without a check, even with the right password ...
    status, _, res = sign_in(url, "t-victim", password, attacker)
    assert status == 429 and "Retry-After" in res.headers
    # ... but the owner signs in at once: from another address, and from the same address
    # with the browser used before; none of this locked the account
    assert sign_in(url, "t-victim", password, "10.7.7.7")[0] == 302
    assert sign_in(url, "t-victim", password, attacker, {"Cookie": mark})[0] == 302
    blocked = [r for r in audited(db, "login_blocked", 100) if r["user_name"] == "t-victim"]
    assert len(blocked) == len(waits) + 1
    assert all(r["address"] == attacker and "s to wait" in r["detail"] for r in blocked)


def test_many_addresses_failing_for_one_name_do_not_lock_it(site):
    url, db = site["url"], site["db"]
    password = ensure_user(db, "t-popular", "analist")
    for i in range(3 * FREE_FAILURES):
        assert sign_in(url, "t-popular", "wrong", f"10.20.0.{i}")[0] == 401
    assert sign_in(url, "t-popular", password, "10.20.1.1")[0] == 302


def test_the_throttle_holds_across_workers_and_in_parallel(site):
    """An attempt reserves its wait before the password is checked: parallel guesses on two
    workers do not get more checks than one after another."""
    from concurrent.futures import ThreadPoolExecutor

    url, db = site["url"], site["db"]
    ensure_user(db, "t-parallel", "bestuur")
    address = "10.30.0.1"
    for _ in range(FREE_FAILURES - 1):  # the next failure is the first to bring a wait
        assert sign_in(url, "t-parallel", "wrong", address)[0] == 401
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: sign_in(url, "t-parallel", "wrong", address)[0],
                                 range(8)))
    assert statuses.count(401) <= 1 and statuses.count(429) >= 7, statuses


# -- headers on every response ---------------------------------------------------------------


def _policy(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def test_every_response_carries_the_security_headers(site):
    admin = login(site["url"], "t-headers", ensure_user(site["db"], "t-headers", "beheerder"))
    spec = pages_spec(site["url"], admin)
    checks = [(site["url"], "GET", "/login", None), (site["url"], "GET", "/wijken", admin),
              (site["url"], "GET", "/wijken", None), (site["url"], "GET", "/_dash-layout", None),
              (site["url"], "GET", "/assets/style.css", None),
              (site["url"], "GET", "//wijken/", admin),
              (site["url"], "GET", "/_dash-component-suites/dash/dcc/dash_core_components.js",
               admin),
              (site["url"], "POST", "/login", None), (site["public"], "GET", "/", None),
              (site["public"], "GET", "/gegevens", None),
              (site["public"], "GET", "/assets/plotly-bundle.js", None)]
    seen = set()
    for url, method, path, cookie in checks:
        status, _, res = request(url, method, path, b"" if method == "POST" else None,
                                 {**({"Cookie": cookie} if cookie else {}), **FORM})
        seen.add(status)
        policy = _policy(res.getheader("Content-Security-Policy") or "")
        assert policy.get("default-src") == ["'none'"], (path, status)
        assert policy["script-src"][0] == "'self'" and policy["frame-ancestors"] == ["'none'"]
        for directive in ("script-src", "style-src", "style-src-elem"):
            assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "blob:"} \
                & set(policy[directive]), directive
            assert all(v == "'self'" or v.startswith("'sha256-") for v in policy[directive])
        assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
        assert res.getheader("X-Content-Type-Options") == "nosniff"
        assert res.getheader("Referrer-Policy") == "same-origin"
        assert res.getheader("X-Frame-Options") == "DENY"
    status, _, res = request(site["url"], "POST", "/_dash-update-component", b"{}",
                             {"Content-Type": "text/plain", "Cookie": admin})
    assert status == 415 and "Content-Security-Policy" in res.headers
    assert {200, 302, 308, 401, 403} <= seen, seen
    assert callback(site["url"], spec, admin, "/")[0] == 200


def test_a_page_allows_exactly_its_own_inline_scripts(site):
    """Dash's page names its inline scripts by hash in its own policy, taken from the page as
    served (so no race with Dash setting itself up); no other response allows any."""
    import re

    from dashboard.security import source_hash

    for url in (site["public"], site["url"]):
        cookie = login(url, "t-inline", ensure_user(site["db"], "t-inline", "bestuur")) \
            if url == site["url"] else None
        status, body, res = request(url, "GET", "/keten",
                                    headers={"Cookie": cookie} if cookie else {})
        assert status == 200
        page = re.sub(r"<!--.*?-->", "", body.decode(), flags=re.S)  # comments never run
        inline = [text for attrs, text in re.findall(r"<script([^>]*)>(.*?)</script>", page,
                                                     re.S)
                  if "src=" not in attrs and "application/json" not in attrs]
        assert inline and any("DashRenderer" in t for t in inline)
        allowed = _policy(res.getheader("Content-Security-Policy"))["script-src"]
        assert sorted(allowed) == sorted(["'self'", *{source_hash(t) for t in inline}])
        _, _, res = request(url, "GET", "/_dash-layout",
                            headers={"Cookie": cookie} if cookie else {})
        assert _policy(res.getheader("Content-Security-Policy"))["script-src"] == ["'self'"]


@pytest.mark.parametrize("server", ["signed_in", "public"])
def test_the_policy_blocks_nothing_the_app_needs(site, browser, server):
    """Every page on both servers, with dropdowns opened and graphs hovered: not one console
    error and not one policy violation; and the policy does block an inline script."""
    signed_in = server == "signed_in"
    url = site["url"] if signed_in else site["public"]
    paths = ["/", "/keten", "/wijken", "/partners", "/export", "/?lang=en", "/bestaat-niet"]
    paths += ["/doelstelling/PREV-01", "/gegevens", "/beheer"] if signed_in else []
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation', e => window.__violations.push("
        "e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    try:
        if signed_in:
            password = ensure_user(site["db"], "t-csp", "beheerder")
            page.goto(url + "/login")
            page.fill("#login-name", "t-csp")
            page.fill("#login-password", password)
            page.click("#login-submit")
            page.wait_for_selector("#page-overview", timeout=30000)
        for path in paths:
            page.goto(url + path)
            page.wait_for_load_state("networkidle")
            page.wait_for_selector("#_pages_content > *", timeout=30000)
            for dropdown in page.locator(".dash-dropdown").all()[:2]:
                if dropdown.is_visible():
                    dropdown.click()
                    page.keyboard.press("Escape")
            for graph in page.locator(".js-plotly-plot .nsewdrag").all()[:2]:
                box = graph.bounding_box()
                if box:
                    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                    page.wait_for_timeout(300)
            assert page.evaluate("window.__violations") == [], path
        assert errors == [], "\n".join(errors)
        # the sign-in page (signed in: after signing out) is under the policy too
        if signed_in:
            page.click("#nav-logout")
            page.wait_for_selector("#login-form", timeout=20000)
            assert page.evaluate("window.__violations") == []
        # and the policy is in force: an injected inline script is blocked and reported
        page.evaluate("() => { const s = document.createElement('script');"
                      "s.textContent = 'window.__ran = 1'; document.body.appendChild(s); }")
        page.wait_for_timeout(200)
        assert page.evaluate("window.__ran") is None
        assert any(v.startswith("script-src") for v in page.evaluate("window.__violations"))
    finally:
        context.close()


# -- every refusal is in the audit log -------------------------------------------------------


def test_a_refused_download_is_in_the_audit_log(site):
    url, db = site["url"], site["db"]
    cookie = login(url, "t-mgmt", ensure_user(db, "t-mgmt", "bestuur"))
    spec = csv_spec(url, cookie)
    assert callback(url, spec, cookie, state=INCIDENTS)[0] == 403
    refused = [r for r in audited(db, "access_denied") if r["user_name"] == "t-mgmt"]
    assert refused and refused[0]["address"] and refused[0]["role"] == "bestuur"
