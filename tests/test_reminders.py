"""Reminders by e-mail: before a reporting deadline, owners whose updates are missing get one
notice each, sent through a real SMTP server (aiosmtpd on 127.0.0.1, started by the test), and
every notice is in the audit log. Off by default."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from access.steering.store import Steering
from ivm.cli import main
from tests.conftest import DEMO_AS_OF, Inbox, free_port


@pytest.fixture
def smtp():
    """A real SMTP server on the loopback interface."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def _remind(db: str):
    return CliRunner().invoke(main, ["remind", "--db", db])


@pytest.fixture
def remind_env(monkeypatch):
    monkeypatch.setenv("IVM_TODAY", DEMO_AS_OF.isoformat())  # 13 days before the deadline
    monkeypatch.setenv("IVM_DASHBOARD_URL", "https://veiligheid.aalst.example")
    monkeypatch.setenv("IVM_SMTP_FROM", "ivmonitor@aalst.example")
    return monkeypatch


def test_owners_with_missing_updates_get_one_notice_each(demo_copy, smtp, remind_env):
    inbox, port = smtp
    remind_env.setenv("IVM_REMINDERS", "1")
    remind_env.setenv("IVM_SMTP_HOST", "127.0.0.1")
    remind_env.setenv("IVM_SMTP_PORT", str(port))
    db = str(demo_copy.path)

    result = _remind(db)
    assert result.exit_code == 0, result.output
    to = {rcpt[0]: msg for rcpt, msg in inbox.messages}
    assert set(to) == {"gas-ambtenaar@aalst.example", "brandweerzone@aalst.example",
                       "huisvestingsmaatschappij@aalst.example", "jeugdwerk@aalst.example"}
    gas = to["gas-ambtenaar@aalst.example"]
    assert gas["Subject"] == ("Herinnering: 5 update(s) voor 3e kwartaal 2026, uiterlijk "
                              "07/12/2026")
    assert gas["From"] == "ivmonitor@aalst.example"
    body = gas.get_content()
    for objective in ("NAZ-02", "PREV-08", "PREV-09", "PREV-11", "REA-02"):
        assert f"- {objective} " in body
    assert "https://veiligheid.aalst.example/opvolging" in body

    steering = Steering.of_warehouse(demo_copy.path)
    audit = steering.store.audit_rows(event_name="notice_sent")
    assert len(audit) == 4 and any("GAS-ambtenaar" in a["detail"] for a in audit)

    again = _remind(db)  # one notice per partner and period
    assert again.exit_code == 0 and "no reminders due" in again.output
    assert len(inbox.messages) == 4


def test_reminders_are_off_by_default_and_outside_the_window(demo_copy, smtp, remind_env):
    inbox, port = smtp
    remind_env.setenv("IVM_SMTP_HOST", "127.0.0.1")
    remind_env.setenv("IVM_SMTP_PORT", str(port))
    result = _remind(str(demo_copy.path))
    assert result.exit_code == 0
    assert "would write to GAS-ambtenaar <gas-ambtenaar@aalst.example>" in result.output
    remind_env.setenv("IVM_REMINDERS", "1")
    remind_env.setenv("IVM_TODAY", "2026-11-01")  # more than 14 days before the deadline
    assert "no reminders due" in _remind(str(demo_copy.path)).output
    remind_env.setenv("IVM_TODAY", "2026-12-08")  # the deadline has passed
    assert "no reminders due" in _remind(str(demo_copy.path)).output
    assert inbox.messages == []


def test_a_server_that_does_not_answer_is_a_clear_error_and_is_tried_again(demo_copy, smtp,
                                                                          remind_env):
    inbox, port = smtp
    remind_env.setenv("IVM_REMINDERS", "1")
    remind_env.setenv("IVM_SMTP_HOST", "127.0.0.1")
    remind_env.setenv("IVM_SMTP_PORT", str(free_port()))  # nobody listens there
    result = _remind(str(demo_copy.path))
    assert result.exit_code == 1
    assert "error [notice_failed] 4 reminder(s) could not be sent" in result.output
    steering = Steering.of_warehouse(demo_copy.path)
    assert len(steering.store.audit_rows(event_name="notice_failed")) == 4
    remind_env.setenv("IVM_SMTP_PORT", str(port))
    assert _remind(str(demo_copy.path)).exit_code == 0
    assert len(inbox.messages) == 4
