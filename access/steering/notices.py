"""Reminders: before a reporting period's deadline, every owner partner whose updates are missing
gets one e-mail at the contact address of the partner register, naming the objectives and the
deadline, with a link to the follow-up page.

Off by default (``IVM_REMINDERS``): then :meth:`Notices.run` only says whom it would write to.
Reminders start ``IVM_REMIND_DAYS`` before the deadline and stop at it; a partner gets one
notice per period (a failed attempt is tried again on the next run). Mail goes through the SMTP
server of the settings (``IVM_SMTP_HOST``, its port and sign-in), plain text, one message per
partner; every notice sent or failed is kept (table ``notice``) and in the audit log.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TypeVar

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from access.app_db import reading
from access.steering.attention import completeness
from access.steering.partners import PartnerRegister
from access.steering.reports import Reports
from access.steering.state import PlanState
from access.steering.tables import notice
from core.errors import IvmError
from core.settings import flag, setting
from core.vocabulary import date, reporting_period

T = TypeVar("T")

#: How long one SMTP conversation may take (seconds).
SMTP_TIMEOUT = 30


@dataclass(frozen=True)
class Notice:
    """One reminder: to a partner (its name and contact address) for a period, the objectives
    whose update is missing."""

    partner_id: str
    name: str
    address: str | None
    period: str
    due: dt.date
    missing: tuple[str, ...]
    titles: dict[str, str] = field(default_factory=dict)

    def message(self, sender: str, link: str) -> EmailMessage:
        """The e-mail, in Dutch, plain text."""
        msg = EmailMessage()
        period = reporting_period(self.period, "nl")
        msg["Subject"] = (f"Herinnering: {len(self.missing)} update(s) voor {period}, "
                          f"uiterlijk {date(self.due)}")
        msg["From"] = sender
        msg["To"] = self.address or ""
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1] or "localhost")
        lines = [f"Beste {self.name},", "",
                 f"Voor de rapportering over {period} ontbreekt nog de update van de "
                 f"eigenaar bij deze doelstelling(en); ze wordt verwacht uiterlijk op "
                 f"{date(self.due)}:", ""]
        lines += [f"- {oid} {self.titles.get(oid, '')}".rstrip() for oid in self.missing]
        lines += ["", f"Schrijf de update op de pagina Opvolging: {link}", "",
                  "Dit bericht is automatisch verstuurd door ivmonitor."]
        msg.set_content("\n".join(lines))
        return msg


@dataclass
class Outcome:
    """What one run did: notices sent, failed, skipped (no contact address), and the
    notices it would send when reminders are off."""

    period: str | None = None
    sent: list[Notice] = field(default_factory=list)
    failed: list[tuple[Notice, str]] = field(default_factory=list)
    no_address: list[Notice] = field(default_factory=list)
    would_send: list[Notice] = field(default_factory=list)

    def lines(self) -> list[str]:
        """One line per notice, for the command line."""
        out = [f"sent to {n.partner_id} <{n.address}>: {', '.join(n.missing)}"
               for n in self.sent]
        out += [f"failed for {n.partner_id} <{n.address}>: {why}" for n, why in self.failed]
        out += [f"no contact address for {n.partner_id}: {', '.join(n.missing)}"
                for n in self.no_address]
        out += [f"would write to {n.partner_id} <{n.address}>: {', '.join(n.missing)} "
                "(reminders are off: IVM_REMINDERS=1 sends them)" for n in self.would_send]
        return out


def due_notices(state: PlanState, reports: Reports, partners: PartnerRegister,
                day: dt.date, remind_days: int,
                already: set[tuple[str, str]]) -> tuple[str | None, list[Notice]]:
    """The reminders due on ``day``: for the period to report on now, when its deadline is at
    most ``remind_days`` away and not passed, one per owner partner with missing updates that
    has not had one for this period (``already``: (period, partner) pairs)."""
    period = state.current(day)
    if period is None or period.due is None:
        return None, []
    if not (period.due - dt.timedelta(days=remind_days) <= day <= period.due):
        return period.key, []
    titles = {o.id: o.title.nl for o in state.plan.objectives} if state.plan else {}
    out = []
    for row in completeness(state, period.key, reports.latest(period.key)):
        if not row.missing or row.partner is None or (period.key, row.partner) in already:
            continue
        p = partners.get(row.partner)
        out.append(Notice(row.partner, p.name_nl if p else row.partner,
                          p.contact if p else None, period.key, period.due,
                          tuple(row.missing), {k: titles.get(k, "") for k in row.missing}))
    return period.key, out


class Notices:
    """The reminders of one application store."""

    def __init__(self, engine: Engine, audit: Callable[..., None], now: Callable[[], str],
                 reports: Reports, partners: PartnerRegister, site: str | None = None):
        self.engine, self._audit, self._now = engine, audit, now
        self.reports, self.partners = reports, partners
        #: The dashboard's address the reminders link to (``IVM_DASHBOARD_URL`` unless given).
        self.site = site

    def sent(self) -> set[tuple[str, str]]:
        """The (period, partner) pairs that had a notice sent."""
        with reading(self.engine).connect() as con:
            return {(r.period, r.partner_id) for r in con.execute(
                select(notice.c.period, notice.c.partner_id).where(
                    notice.c.outcome == "sent"))}

    def rows(self) -> list[dict]:
        """Every notice sent or tried, newest first."""
        with reading(self.engine).connect() as con:
            return [dict(r._mapping) for r in con.execute(
                select(notice).order_by(notice.c.notice_id.desc()))]

    def run(self, state: PlanState, day: dt.date, user: str | None = None) -> Outcome:
        """Send the reminders due on ``day`` (when ``IVM_REMINDERS`` is on; else say whom they
        would go to)."""
        key, due = due_notices(state, self.reports, self.partners, day,
                               int(setting("remind_days")), self.sent())
        outcome = Outcome(key)
        outcome.no_address = [n for n in due if not n.address]
        due = [n for n in due if n.address]
        if not flag("reminders"):
            outcome.would_send = due
            return outcome
        if due and not setting("smtp_host"):
            raise IvmError("no_smtp", "reminders are on but no SMTP server is set",
                           hint="set IVM_SMTP_HOST (and IVM_SMTP_PORT)")
        if not due:
            return outcome
        link = (self.site or setting("dashboard_url")).rstrip("/") + "/opvolging"
        sender = setting("smtp_from")
        outcome.sent, outcome.failed = send_each(
            due, lambda n: n.message(sender, link),
            lambda n, result, detail: self._record(n, result, detail, user))
        return outcome

    def _record(self, n: Notice, outcome: str, detail: str | None, user: str | None) -> None:
        with self.engine.begin() as con:
            con.execute(insert(notice).values(
                period=n.period, partner_id=n.partner_id, address=n.address or "",
                missing=len(n.missing), sent_at=self._now(), outcome=outcome,
                detail=detail))
        text = (f"{n.period} to {n.partner_id} <{n.address}>: {len(n.missing)} missing "
                f"update(s) ({', '.join(n.missing)})" + (f"; {detail}" if detail else ""))
        self._audit("notice_sent" if outcome == "sent" else "notice_failed", user, "cli",
                    detail=text[:2000])


def send_each(items: list[T], message: Callable[[T], EmailMessage],
              record: Callable[[T, str, str | None], None]) -> tuple[list[T], list[tuple[T, str]]]:
    """Send one message per item in one SMTP conversation, recording each outcome (``sent``, or
    ``failed`` with why; a refused connection fails every item not yet sent); the items sent
    and the items failed with why."""
    sent: list[T] = []
    failed: list[tuple[T, str]] = []
    try:
        with connect_smtp() as smtp:
            for item in items:
                try:
                    refused = smtp.send_message(message(item))
                    if refused:
                        raise smtplib.SMTPRecipientsRefused(refused)
                    record(item, "sent", None)
                    sent.append(item)
                except smtplib.SMTPException as exc:
                    record(item, "failed", failure_text(exc))
                    failed.append((item, failure_text(exc)))
    except (OSError, smtplib.SMTPException) as exc:
        why = failure_text(exc)
        for item in items:
            if item not in sent and all(item is not f for f, _ in failed):
                record(item, "failed", why)
                failed.append((item, why))
    return sent, failed


def connect_smtp() -> smtplib.SMTP:
    """A connection to the configured SMTP server (STARTTLS and sign-in when set)."""
    smtp = smtplib.SMTP(setting("smtp_host"), int(setting("smtp_port")), timeout=SMTP_TIMEOUT)
    try:
        if flag("smtp_starttls"):
            smtp.starttls(context=ssl.create_default_context())
        if setting("smtp_user"):
            smtp.login(setting("smtp_user"), setting("smtp_password"))
    except Exception:
        smtp.close()
        raise
    return smtp


def failure_text(exc: BaseException) -> str:
    """An SMTP or network failure in one short line."""
    return f"{type(exc).__name__}: {str(exc)[:300]}"


__all__ = ["Notice", "Notices", "Outcome", "connect_smtp", "due_notices", "failure_text",
           "send_each"]
