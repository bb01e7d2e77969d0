"""The steering cycle in the served dashboard: a partner's account writes its update and changes
an action's state in the browser; the mayor's office sees it on the overview's attention list
and on the objective page; another partner's account can neither write nor read it (checked on
the server, per callback, over real HTTP); the completeness board counts it."""

from __future__ import annotations

import json
import re

import pytest

from access.steering.store import Steering
from tests.conftest import (
    DEMO_AS_OF,
    admin_cookie,
    copy_access_store,
    ensure_user,
    login,
    render,
    serve_on,
)
from tests.test_access_control import callback, dependencies

#: The owner partner whose account writes (five updates of the open period missing in the
#: demo), its objective (off track in the demo) and its action; another partner's account.
OWNER, OBJECTIVE, ACTION, OTHER = "GAS-ambtenaar", "PREV-08", "A-PREV-08-1", "jeugdwerk"
#: An update text with HTML and a formula: shown as text everywhere.
DONE = "<b>Camera's</b> geplaatst =SUM(A1:A9)"


@pytest.fixture(scope="module")
def served(demo_city, tmp_path_factory):
    """The demo (with its application store) under gunicorn, today being the demo's day; a
    dienst account of the owner, one of another partner, and a bestuur account."""
    import shutil

    folder = tmp_path_factory.mktemp("steering")
    db = folder / "demo.duckdb"
    shutil.copyfile(demo_city[0].path, db)
    copy_access_store(demo_city[0].path, db)
    url, proc = serve_on(db, DEMO_AS_OF)
    users = {"owner": ("t-gas", "dienst", OWNER), "other": ("t-jeugd", "dienst", OTHER),
             "bestuur": ("t-bestuur", "bestuur", None)}
    passwords = {k: ensure_user(db, n, r, p) for k, (n, r, p) in users.items()}
    cookies = {k: login(url, users[k][0], passwords[k]) for k in users}
    yield {"url": url, "db": db, "users": users, "passwords": passwords, "cookies": cookies}
    proc.terminate()
    proc.wait(timeout=20)


def _texts(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [t for n in node for t in _texts(n)]
    if isinstance(node, dict):
        return _texts((node.get("props") or {}).get("children"))
    return []


def _page_text(url: str, path: str, cookie: str) -> str:
    body = json.loads(render(url, path, "", cookie))
    return " | ".join(_texts(body["response"]["_pages_content"]["children"]))


def _sign_in(browser, url: str, name: str, password: str):
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(url + "/login")
    page.fill("#login-name", name)
    page.fill("#login-password", password)
    page.click("#login-submit")
    page.wait_for_selector("#page-overview", timeout=60000)
    return context, page


def _missing(board: str, partner_name: str) -> int:
    row = next(line for line in board.splitlines() if line.startswith(partner_name))
    return int(re.search(r"\t(\d+):", row).group(1)) if ":" in row else 0


def test_an_owner_writes_in_the_browser_and_the_mayor_sees_it(served, browser):
    url, users, passwords = served["url"], served["users"], served["passwords"]
    steering = Steering.of_warehouse(served["db"])
    owner_name = steering.partners.get(OWNER).name("nl")

    context, page = _sign_in(browser, url, users["owner"][0], passwords["owner"])
    try:
        page.goto(f"{url}/opvolging?objective={OBJECTIVE}")
        page.wait_for_selector("#steering-board", timeout=60000)
        missing_before = _missing(page.inner_text("#steering-board"), owner_name)
        assert missing_before == 5
        page.fill("#steering-done", DONE)
        page.fill("#steering-next", "Evaluatie in januari")
        page.check("#steering-judgement input[value='on_track']")
        page.fill("#steering-reason", "De camera's werken pas sinds kort")
        page.click("#steering-save")
        # (selectors, never a string of JavaScript: the page's security policy forbids eval)
        page.wait_for_selector("#steering-message:not(:empty)", timeout=60000)
        assert page.inner_text("#steering-message") == "Opgeslagen."
        assert DONE in page.inner_text("#steering-updates")  # the HTML shown as text
        assert page.locator("#steering-updates b").count() == 0
        assert _missing(page.inner_text("#steering-board"), owner_name) == missing_before - 1

        page.check("#steering-state input[value='ongoing']")
        page.fill("#steering-note", "Toch verdergezet op twee plekken")
        page.click("#steering-action-save")
        page.wait_for_selector("#steering-action-message:not(:empty)", timeout=60000)
        assert page.inner_text("#steering-action-message") == "Opgeslagen."
        row = page.locator("#steering-actions tr", has_text=ACTION).inner_text()
        assert "lopend" in row
        assert page.errors == []
    finally:
        context.close()

    written = steering.reports.updates(objective_id=OBJECTIVE)[0]
    assert (written.author, written.done, written.judgement) == ("t-gas", DONE, "on_track")
    assert steering.reports.action_changes(ACTION)[0].author == "t-gas"
    assert "PREV-08" in steering.store.audit_rows(event_name="update_written")[0]["detail"]

    context, page = _sign_in(browser, url, users["bestuur"][0], passwords["bestuur"])
    try:
        attention = page.inner_text("#attention")
        line = next(x for x in attention.splitlines() if OBJECTIVE in x and "eigenaar zegt" in x)
        assert "eigenaar zegt op koers, de cijfers zeggen niet op koers" in line
        page.click(f"#attention a:has-text('{OBJECTIVE}')")
        page.wait_for_selector("#objective-timeline", timeout=60000)
        follow_up = page.inner_text("#objective-steering")
        assert DONE in follow_up and "wijkt af van de cijfers" in follow_up
        assert "lopend" in page.locator("#objective-actions tr", has_text=ACTION).inner_text()
        assert re.search(r"niet op koers\s+sinds", page.inner_text("#objective-since"))
        assert page.errors == []
    finally:
        context.close()


def test_another_partner_can_neither_write_nor_read_it(served):
    url, cookies = served["url"], served["cookies"]
    steering = Steering.of_warehouse(served["db"])
    before = len(steering.reports.updates())
    specs = {s["output"]: s for s in dependencies(url, cookies["other"])}
    save = next(s for o, s in specs.items() if "steering-message" in o)
    state = {"steering-save": 1, "steering-objective": OBJECTIVE, "steering-done": "geknoeid",
             "steering-judgement": "on_track", "steering-lang": "nl"}
    status, body = callback(url, save, cookies["other"], state=state)
    assert status == 200
    assert "may not write the update of PREV-08" in body.decode()
    assert len(steering.reports.updates()) == before

    action = next(s for o, s in specs.items() if "steering-action-message" in o)
    status, body = callback(url, action, cookies["other"], state={
        "steering-action-save": 1, "steering-action": ACTION, "steering-state": "done",
        "steering-lang": "nl"})
    assert status == 200 and "may not change the state" in body.decode()

    # a text over the limit or with a control character is refused for the owner as well
    for done, code in (("x" * 2001, "characters; at most"), ("bel\x07", "control character")):
        status, body = callback(url, save, cookies["owner"], state={**state,
                                                                      "steering-done": done})
        assert status == 200 and code in body.decode()
    assert len(steering.reports.updates()) == before

    text = _page_text(url, "/opvolging", cookies["other"])
    assert "geplaatst" not in text and "PREV-08 ·" not in text
    assert OBJECTIVE not in text.split("Update schrijven")[1].split("Stand van")[0]
    status = callback(url, next(s for s in specs.values() if "_pages_content" in s["output"]),
                      cookies["other"], f"/doelstelling/{OBJECTIVE}")[0]
    assert status == 403


def test_a_partners_account_sees_its_name_and_its_partner_preselected(served):
    url, cookie = served["url"], served["cookies"]["other"]
    overview = _page_text(url, "/", cookie)
    assert "Jeugddienst en jeugdwerk" in overview  # the header names the account's partner
    assert "PREV-04" in overview and "REA-01" not in overview  # filtered on its partner
    assert "REA-01" in _page_text(url, "/", served["cookies"]["bestuur"])
    partners = _page_text(url, "/partners", cookie)
    assert "PREV-04" in partners and "REA-01" not in partners


def test_the_analist_and_the_public_have_no_follow_up_page(served):
    url = served["url"]
    password = ensure_user(served["db"], "t-analist", "analist")
    cookie = login(url, "t-analist", password)
    specs = dependencies(url, cookie)
    save = next(s for s in specs if "steering-message" in s["output"])
    assert callback(url, save, cookie, state={"steering-save": 1})[0] == 403
    pages = next(s for s in specs if "_pages_content" in s["output"])
    assert callback(url, pages, cookie, "/opvolging")[0] == 403


def test_the_bestuur_sees_what_changed_between_plan_versions(served):
    text = _page_text(served["url"], "/opvolging", served["cookies"]["bestuur"])
    assert "LIVP-2020-2027-v2 (van kracht)" in text
    assert "Wijziging van het plan: LIVP-2020-2027-v1 → LIVP-2020-2027-v2" in text
    assert "doelstelling PREV-01 · target.change: -0,35 → -0,25" in text
    assert "plan · approved_on: 15/12/2019 → 21/09/2026" in text


def test_the_beheerder_edits_the_partner_register_and_nobody_else(served):
    url = served["url"]
    admin = admin_cookie(url)
    save = next(s for s in dependencies(url, admin) if "beheer-partner-message" in s["output"])
    state = {"beheer-partner-save": 1, "beheer-partner-id": "buurtwerk",
             "beheer-partner-name-nl": "Buurtwerk Aalst", "beheer-partner-kind": "external",
             "beheer-partner-level": "local", "beheer-partner-contact": "buurt@aalst.example",
             "beheer-partner-active": ["active"], "beheer-lang": "nl"}
    assert callback(url, save, served["cookies"]["bestuur"], state=state)[0] == 403
    status, body = callback(url, save, admin, state={**state, "beheer-partner-contact": "nee"})
    assert status == 200 and "is not an e-mail address" in body.decode()
    steering = Steering.of_warehouse(served["db"])
    assert steering.partners.get("buurtwerk") is None
    status, body = callback(url, save, admin, state=state)
    assert status == 200 and "Opgeslagen." in body.decode()
    added = steering.partners.get("buurtwerk")
    assert (added.name_nl, added.kind, added.origin) == ("Buurtwerk Aalst", "external",
                                                         "dashboard")
    audit = steering.store.audit_rows(event_name="partner_changed")[0]
    assert audit["user_name"] == "test-beheerder" and "buurtwerk: added" in audit["detail"]


def test_the_objective_page_shows_the_outputs_next_to_the_outcome(served):
    from click.testing import CliRunner

    from ivm.cli import main

    text = _page_text(served["url"], "/doelstelling/PREV-01", served["cookies"]["bestuur"])
    assert "Wat de acties opleveren, naast de uitkomst" in text
    table = text.split("Wat de acties opleveren, naast de uitkomst")[1].split(
        "Updates van de eigenaars")[0]
    assert "Woninginbraken per 1.000 huishoudens (uitkomst)" in table
    assert "Technopreventieve adviesbezoeken" in table and "Patrouille-uren" in table
    shown = json.loads(CliRunner().invoke(main, [
        "indicators", "show", "techno_prevention_visits", "--area", "41002", "--period",
        "2025", "--db", str(served["db"]), "--format", "json"]).output)
    value = next(r["value"] for r in shown if r["period"] == "2025")
    assert f"2025 | {_count(value)}" in table or f"| {_count(value)} |" in table


def _count(value: float) -> str:
    return f"{int(round(value)):,}".replace(",", ".")


def test_the_bestuur_sees_which_statuses_changed_since_the_last_reporting_period(served):
    steering = Steering.of_warehouse(served["db"])
    then = steering.history.at(DEMO_AS_OF.replace(month=6, day=30))  # the end of 2026-Q2
    text = _page_text(served["url"], "/opvolging", served["cookies"]["bestuur"])
    section = text.split("Wat veranderde sinds de vorige rapportering (2e kwartaal 2026)")[1]
    section = section.split("Versies van het plan")[0]
    assert next(p for (o, _), p in then.items() if o == "PREV-10").status == "achieved"
    row = section.split("PREV-10 Minder drugsoverlast in de binnenstad")[1][:120]
    assert row.index("behaald") < row.index("risico")  # then, now
