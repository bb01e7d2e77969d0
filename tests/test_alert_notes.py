"""An early-warning alert is closed with a note by whoever answers for it (the owners of the
objectives it concerns, the beheerder, the bestuur), once, audited, shown as text beside the
alert and on its chart; its owners get one e-mail per alert, through a real SMTP server."""

from __future__ import annotations

import json
import urllib.request

import pytest

from access.roles import Viewer, role
from access.steering.alert_notes import alert_key
from access.steering.store import Steering
from core.errors import IvmError
from dashboard.figures_alerts import alert_figure
from indicators import current_alerts
from tests.conftest import Inbox, admin_cookie, free_port, serve, texts

NOTE = "Dader gevat op 2/12; <b>=SUM(A1)</b> extra patrouilles tot eind december."


@pytest.fixture
def alert(demo_copy) -> dict:
    con = demo_copy.connect_read_only()
    try:
        return next(a for a in current_alerts(con) if a["running"])
    finally:
        con.close()


def _who(name: str, role_name: str, partner: str | None = None) -> Viewer:
    return Viewer(name, role(role_name), partner)


def test_the_owner_closes_an_alert_once_with_a_note_kept_as_text(demo_copy, alert):
    notes = Steering.of_warehouse(demo_copy.path).alerts
    note = notes.close(_who("wout", "dienst", "politiezone"), alert, ["politiezone"], NOTE)
    assert note.note == NOTE and note.author == "wout"
    assert notes.notes()[alert_key(alert)].note == NOTE
    with pytest.raises(IvmError, match="closed already"):
        notes.close(_who("burgemeester", "bestuur"), alert, ["politiezone"], "nog eens")
    audit = Steering.of_warehouse(demo_copy.path).store.audit_rows(event_name="alert_closed")
    assert len(audit) == 1 and alert_key(alert) in audit[0]["detail"]


@pytest.mark.parametrize(("viewer", "owners", "allowed"), [
    (("els", "dienst", "preventiedienst"), ["politiezone"], False),
    (("wout", "dienst", "politiezone"), ["politiezone"], True),
    (("ann", "analist", None), ["politiezone"], False),
    (("burgemeester", "bestuur", None), [], True),
    (("wout", "dienst", "politiezone"), [], False),  # no objective counts it: the mayor's
])
def test_who_may_close_an_alert(demo_copy, alert, viewer, owners, allowed):
    notes = Steering.of_warehouse(demo_copy.path).alerts
    if allowed:
        notes.close(_who(*viewer), alert, owners, "gezien")
        assert alert_key(alert) in notes.notes()
    else:
        with pytest.raises(IvmError, match="may not close this alert"):
            notes.close(_who(*viewer), alert, owners, "gezien")
        assert notes.notes() == {}


@pytest.mark.parametrize(("text", "says"), [("", "is empty"), ("x" * 5000, "characters"),
                                            ("a\x07b", "control character")])
def test_a_note_must_be_plain_text_of_bounded_length(demo_copy, alert, text, says):
    notes = Steering.of_warehouse(demo_copy.path).alerts
    with pytest.raises(IvmError, match=says):
        notes.close(_who("burgemeester", "bestuur"), alert, [], text)
    assert notes.notes() == {}


def test_the_closing_note_is_marked_on_the_alert_s_chart(demo_copy, alert):
    notes = Steering.of_warehouse(demo_copy.path).alerts
    note = notes.close(_who("burgemeester", "bestuur"), alert, [], "Verklaard: één dader.")
    weeks = [{"week_end": alert["latest_week"], "count": 16.0, "expected": 2.0, "upper": 9.0,
              "exceeds": True}]
    fig = alert_figure(weeks, "nl", note)
    assert [a.text for a in fig.layout.annotations] == ["Afgesloten: Verklaard: één dader."]
    assert fig.layout.shapes[0].x0 == note.closed_at[:10]


@pytest.fixture
def smtp(monkeypatch):
    from aiosmtpd.controller import Controller

    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("IVM_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("IVM_SMTP_PORT", str(port))
    monkeypatch.setenv("IVM_SMTP_FROM", "ivmonitor@aalst.example")
    monkeypatch.setenv("IVM_DASHBOARD_URL", "https://veiligheid.aalst.example")
    yield inbox
    controller.stop()


def test_the_owners_get_one_notice_per_alert(demo_copy, alert, smtp, monkeypatch):
    notes = Steering.of_warehouse(demo_copy.path).alerts
    owned = [(alert, {"politiezone": ["PREV-09"]})]
    names = {(alert["kind"], alert["category"]): "diefstal uit of aan voertuig"}
    off = notes.notify(owned, names)
    assert [n.partner_id for n in off.would_send] == ["politiezone"] and not smtp.messages
    monkeypatch.setenv("IVM_ALERT_NOTICES", "1")
    sent = notes.notify(owned, names)
    assert [n.partner_id for n in sent.sent] == ["politiezone"]
    (to, message), = smtp.messages
    contact = Steering.of_warehouse(demo_copy.path).partners.get("politiezone").contact
    assert to == [contact]
    assert message["Subject"].startswith("Signaal: diefstal uit of aan voertuig in")
    body = message.get_content()
    assert "PREV-09" in body and "https://veiligheid.aalst.example/signalen" in body
    assert notes.notify(owned, names).sent == []  # once per alert
    audit = Steering.of_warehouse(demo_copy.path).store.audit_rows(event_name="notice_sent")
    assert any(alert_key(alert) in r["detail"] for r in audit)


def test_a_closed_alert_sends_no_notice(demo_copy, alert, smtp, monkeypatch):
    monkeypatch.setenv("IVM_ALERT_NOTICES", "1")
    notes = Steering.of_warehouse(demo_copy.path).alerts
    notes.close(_who("burgemeester", "bestuur"), alert, [], "al opgevolgd")
    outcome = notes.notify([(alert, {"politiezone": ["PREV-09"]})], {})
    assert outcome.sent == [] and not smtp.messages


def _call(url: str, body: dict, cookie: str) -> dict:
    req = urllib.request.Request(url + "/_dash-update-component", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json",
                                          "Cookie": cookie})
    return json.loads(urllib.request.urlopen(req, timeout=60).read())["response"]


def test_the_page_closes_an_alert_through_its_callback(demo_copy, alert):
    key = alert_key(alert)
    url, proc = serve(demo_copy.path)
    try:
        out = _close_over_http(url, key, admin_cookie(url))
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    shown = texts(list(out.values())[0]["children"])
    assert "Afgesloten door" in shown and "<script>alert(1)</script>" in shown
    notes = Steering.of_warehouse(demo_copy.path).alerts.notes()
    assert notes[key].note == "Gezien: <script>alert(1)</script>"


def _close_over_http(url: str, key: str, cookie: str) -> dict:
    """Call the page's close callback as the browser does (its spec from the app)."""
    req = urllib.request.Request(url + "/_dash-dependencies", headers={"Cookie": cookie})
    spec = next(d for d in json.loads(urllib.request.urlopen(req, timeout=60).read())
                if any(i["id"].startswith('{"key":["MATCH"],"type":"alerts-close"')
                       for i in d["inputs"]))
    ident = {"type": "alerts-close", "key": key}
    return _call(url, {
        "output": spec["output"],
        "outputs": [{"id": {"type": "alerts-note", "key": key}, "property": "children"},
                    {"id": {"type": "alerts-graph", "key": key}, "property": "figure"}],
        "inputs": [{"id": ident, "property": "n_clicks", "value": 1}],
        "state": [{"id": {"type": "alerts-text", "key": key}, "property": "value",
                   "value": "Gezien: <script>alert(1)</script>"},
                  {"id": ident, "property": "id", "value": ident},
                  {"id": "alerts-lang", "property": "data", "value": "nl"}],
        "changedPropIds": [json.dumps(ident, separators=(",", ":")) + ".n_clicks"],
    }, cookie)
