"""The council pack on the export page, served for real: the bestuur freezes the pack of a
council date from the reporting calendar and downloads it again, byte for byte; a frozen meeting
is replaced only when asked; other roles only download the audiences their role may have and
never freeze (checked on the server, per callback, over real HTTP like the access tests)."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest

from access.steering.store import Steering
from tests.conftest import DEMO_AS_OF, copy_access_store, ensure_user, login, render, serve_on
from tests.test_access_control import callback, dependencies

MEETING = "2026-12-21"
DAY = dt.date(2026, 12, 21)


@pytest.fixture(scope="module")
def served(demo_city, tmp_path_factory):
    """The demo (with its application store) under gunicorn, today being the demo's day; a
    bestuur, an analist and a dienst account, and the same warehouse on a public server."""
    import shutil

    folder = tmp_path_factory.mktemp("packpage")
    db = folder / "demo.duckdb"
    shutil.copyfile(demo_city[0].path, db)
    copy_access_store(demo_city[0].path, db)
    url, proc = serve_on(db, DEMO_AS_OF)
    public_url, public_proc = serve_on(db, DEMO_AS_OF, "--public")
    users = {"bestuur": ("t-bestuur", "bestuur", None), "analist": ("t-analist", "analist", None),
             "dienst": ("t-dienst", "dienst", "preventiedienst")}
    passwords = {k: ensure_user(db, n, r, p) for k, (n, r, p) in users.items()}
    cookies = {k: login(url, users[k][0], passwords[k]) for k in users}
    yield {"url": url, "public": public_url, "db": db, "cookies": cookies,
           "passwords": passwords}
    for p in (proc, public_proc):
        p.terminate()
        p.wait(timeout=20)


def _page(served, who: str) -> str:
    """The export page's content as ``who`` gets it, as text."""
    body = render(served["url"], "/export", cookie=served["cookies"][who])
    return json.dumps(json.loads(body), ensure_ascii=False)


def _spec(url: str, cookie: str | None, output: str) -> dict:
    return next(s for s in dependencies(url, cookie) if output in s["output"])


def _answer(body: bytes, output: str) -> object:
    data = json.loads(body)["response"]
    key = output.split(".")[0]
    return data[key][output.split(".")[1]]


def _freeze(served, who: str, replace: bool = False) -> str:
    url, cookie = served["url"], served["cookies"][who]
    spec = _spec(url, cookie, "export-pack-message.children")
    status, body = callback(url, spec, cookie, state={
        "export-pack-freeze": 1, "export-pack-meeting": MEETING,
        "export-pack-replace": ["replace"] if replace else [], "export-lang": "nl"})
    assert status == 200, body[:300]
    return str(_answer(body, "export-pack-message.children"))


def _download(url: str, cookie: str | None, pack_id: int, audience: str,
              kind: str) -> tuple[int, bytes | None]:
    spec = _spec(url, cookie, "export-pack-file.data")
    status, body = callback(url, spec, cookie, state={
        "export-pack-download": 1, "export-pack-choice": str(pack_id),
        "export-pack-kind": kind, "export-audience": audience})
    if status != 200:
        return status, None
    data = _answer(body, "export-pack-file.data")
    return status, base64.b64decode(data["content"]) if data["base64"] else data[
        "content"].encode()


def test_the_bestuur_freezes_a_meeting_from_the_calendar_and_downloads_it(served):
    page = _page(served, "bestuur")
    assert "Raadsdossier bevriezen" in page and "21/12/2026 (3e kwartaal 2026)" in page
    assert "export-pack-meeting" in page
    said = _freeze(served, "bestuur")
    assert "Het raadsdossier van 21/12/2026 is bevroren" in said
    steering = Steering.of_warehouse(served["db"])
    pack = steering.packs.of_meeting(DAY)
    assert pack.frozen_by == "t-bestuur" and pack.meeting.isoformat() == MEETING
    for audience in ("internal", "public"):
        for kind in ("pdf", "xlsx"):
            status, got = _download(served["url"], served["cookies"]["bestuur"], pack.pack_id,
                                    audience, kind)
            assert status == 200 and got == steering.packs.content(pack.pack_id, audience,
                                                                   kind)[1]
    listed = _spec(served["url"], served["cookies"]["bestuur"], "export-pack-choice.options")
    status, body = callback(served["url"], listed, served["cookies"]["bestuur"],
                            state={"export-lang": "nl"})
    options = json.loads(body)["response"]["export-pack-choice"]["options"]
    assert options[0] == {"label": "21/12/2026 (3e kwartaal 2026) · gegevensversie "
                                   f"{pack.data_version}", "value": str(pack.pack_id)}
    assert options[1]["label"].startswith("21/09/2026 (2e kwartaal 2026)")  # the demo's own

    again = _freeze(served, "bestuur")  # frozen already: kept unless replaced
    assert "is al bevroren" in again and steering.packs.of_meeting(DAY) == pack
    assert "is bevroren" in _freeze(served, "bestuur", replace=True)
    now = steering.packs.of_meeting(DAY)
    assert now.pack_id != pack.pack_id
    assert steering.packs.pack(pack.pack_id).replaced_by == now.pack_id
    assert steering.store.audit_rows(event_name="pack_replaced")[0]["user_name"] == "t-bestuur"


def test_other_roles_download_only_what_their_role_may_and_never_freeze(served):
    steering = Steering.of_warehouse(served["db"])
    before = steering.packs.packs(in_force_only=False)
    for who in ("analist", "dienst"):
        assert "Alleen het bestuur en de beheerder" in _freeze(served, who)
        page = _page(served, who)
        assert "export-pack-meeting" not in page and "export-pack-download" in page
    assert steering.packs.packs(in_force_only=False) == before
    denied = steering.store.audit_rows(event_name="access_denied")
    assert any(r["user_name"] == "t-dienst" and "council pack" in r["detail"] for r in denied)

    pack = _frozen(served)
    public = steering.packs.content(pack.pack_id, "public", "pdf")[1]
    internal = steering.packs.content(pack.pack_id, "internal", "pdf")[1]
    url = served["url"]
    assert _download(url, served["cookies"]["dienst"], pack.pack_id, "public", "pdf") == (
        200, public)
    assert _download(url, served["cookies"]["dienst"], pack.pack_id, "internal", "pdf")[0] == 403
    assert _download(url, served["cookies"]["analist"], pack.pack_id, "internal", "pdf") == (
        200, internal)
    assert _download(served["public"], None, pack.pack_id, "public", "xlsx") == (
        200, steering.packs.content(pack.pack_id, "public", "xlsx")[1])
    assert _download(served["public"], None, pack.pack_id, "internal", "pdf")[0] == 403
    spec = _spec(url, served["cookies"]["dienst"], "export-pack-file.data")
    assert callback(url, spec, None, state={"export-pack-download": 1, "export-pack-choice": str(
        pack.pack_id), "export-pack-kind": "pdf", "export-audience": "public"})[0] == 401


def _frozen(served):
    steering = Steering.of_warehouse(served["db"])
    if steering.packs.of_meeting(DAY) is None:
        _freeze(served, "bestuur")
    return steering.packs.of_meeting(DAY)


def test_the_bestuur_freezes_and_downloads_in_the_browser(served, browser, tmp_path):
    """The same on the page itself: a council date chosen from the calendar, frozen, and its
    PDF downloaded byte for byte."""
    from pathlib import Path

    context = browser.new_context(viewport={"width": 1300, "height": 1000},
                                  accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(served["url"] + "/login")
        page.fill("#login-name", "t-bestuur")
        page.fill("#login-password", served["passwords"]["bestuur"])
        page.click("#login-submit")
        page.wait_for_selector("#page-overview", timeout=60000)
        page.goto(served["url"] + "/export")
        page.wait_for_selector("#export-pack-freeze", timeout=60000)
        page.click("#export-pack-meeting")
        page.click(".dash-dropdown-option:has-text('15/03/2027 (4e kwartaal 2026)')")
        page.click("#export-pack-freeze")
        page.wait_for_selector("#export-pack-message:has-text('bevroren')", timeout=120000)
        assert "Het raadsdossier van 15/03/2027 is bevroren" in page.inner_text(
            "#export-pack-message")
        page.wait_for_selector("#export-pack-choice:has-text('15/03/2027')", timeout=60000)
        with page.expect_download(timeout=60000) as info:
            page.click("#export-pack-download")
        download = info.value
        assert download.suggested_filename == "raadsdossier-2027-03-15.pdf"
        got = Path(download.path()).read_bytes()
        assert errors == []
    finally:
        context.close()
    steering = Steering.of_warehouse(served["db"])
    pack = steering.packs.of_meeting(dt.date(2027, 3, 15))
    assert pack.frozen_by == "t-bestuur"
    assert got == steering.packs.content(pack.pack_id, "internal", "pdf")[1]
