"""The tables of what people write in the steering cycle, in the application store (the access
store's database: SQLite next to the warehouse by default).

They are SQLAlchemy Core metadata of their own, created beside the accounts and the audit log,
and every read and write goes through plain portable statements, so the same code runs on
PostgreSQL. Nothing here is in the warehouse: a load replaces the warehouse, never these.
Times are UTC, ISO 8601 text (as the audit log writes them); days are ISO dates.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

#: The partner register: every partner that owns or joins an objective or an action, or has
#: accounts. Loaded from a file (``ivm load partners``) and edited by the beheerder.
partner = Table(
    "partner", metadata,
    Column("partner_id", String(64), primary_key=True),
    Column("name_nl", String(200), nullable=False),
    Column("name_en", String(200)),
    Column("kind", String(32), nullable=False),
    Column("level", String(32), nullable=False),
    Column("contact", String(254)),
    Column("active", Boolean, nullable=False, default=True),
    Column("updated_at", String(32), nullable=False),
    Column("updated_by", String(64)),
    #: Where the row's values come from: ``file <name>`` or ``dashboard``.
    Column("origin", String(300)),
)

#: Partner files loaded before (by checksum): loading the same file again changes nothing.
partner_file = Table(
    "partner_file", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("file", Text, nullable=False),
    Column("loaded_at", String(32), nullable=False),
    Column("loaded_by", String(64)),
    Column("rows", Integer, nullable=False),
)

#: Owners' updates: one row per writing (a correction is a new row; the newest counts).
owner_update = Table(
    "owner_update", metadata,
    Column("update_id", Integer, primary_key=True, autoincrement=True),
    Column("plan_version", String(64), nullable=False),
    Column("period", String(16), nullable=False, index=True),
    Column("objective_id", String(64), nullable=False, index=True),
    Column("owner", String(64)),
    Column("done", Text, nullable=False),
    Column("next", Text),
    Column("judgement", String(16), nullable=False),
    Column("reason", Text),
    #: The computed status when the update was written, and the date it was as of.
    Column("computed_status", String(24)),
    Column("computed_as_of", String(10)),
    Column("author", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("written_at", String(32), nullable=False),
)

#: An action's state changes (the newest is its state; before any, the plan's).
action_state = Table(
    "action_state", metadata,
    Column("change_id", Integer, primary_key=True, autoincrement=True),
    Column("plan_version", String(64), nullable=False),
    Column("action_id", String(64), nullable=False, index=True),
    Column("objective_id", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("note", Text),
    Column("author", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("changed_at", String(32), nullable=False),
)

#: Every objective's status at every refresh, with what it rests on.
status_history = Table(
    "status_history", metadata,
    Column("history_id", Integer, primary_key=True, autoincrement=True),
    Column("recorded_at", String(32), nullable=False),
    Column("as_of", String(10), nullable=False, index=True),
    Column("load_id", Integer, nullable=False),
    Column("refresh_id", Integer, nullable=False),
    Column("plan_version", String(64)),
    Column("objective_id", String(64), nullable=False, index=True),
    Column("area_id", String(64), nullable=False),
    Column("status", String(24), nullable=False),
    Column("qualifier", String(24)),
    Column("rule", String(64)),
    Column("probability", Float),
    Column("current_value", Float),
    Column("current_period", String(32)),
    Column("baseline_value", Float),
    Column("target_value", Float),
    Column("progress", Float),
    Column("reason_nl", Text),
    Column("reason_en", Text),
    UniqueConstraint("as_of", "load_id", "refresh_id", "plan_version", "objective_id",
                     "area_id", name="status_history_once"),
)

#: Reminders sent (or tried) to a partner for a reporting period.
notice = Table(
    "notice", metadata,
    Column("notice_id", Integer, primary_key=True, autoincrement=True),
    Column("period", String(16), nullable=False),
    Column("partner_id", String(64), nullable=False),
    Column("address", String(254), nullable=False),
    Column("missing", Integer, nullable=False),
    Column("sent_at", String(32), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("detail", Text),
)

#: Early-warning alerts closed with a note: who closed it, when, and what was found or done.
alert_note = Table(
    "alert_note", metadata,
    Column("note_id", Integer, primary_key=True, autoincrement=True),
    Column("area_id", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("category", String(64), nullable=False),
    #: The last day of the week the alert opened (ISO date): one alert of a series.
    Column("opened_week", String(10), nullable=False),
    Column("note", Text, nullable=False),
    Column("author", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("closed_at", String(32), nullable=False),
    UniqueConstraint("area_id", "kind", "category", "opened_week", name="alert_note_once"),
)

#: Alert notices sent (or tried) to an owner partner, one per alert and partner.
alert_notice = Table(
    "alert_notice", metadata,
    Column("notice_id", Integer, primary_key=True, autoincrement=True),
    Column("alert", String(200), nullable=False, index=True),
    Column("partner_id", String(64), nullable=False),
    Column("address", String(254), nullable=False),
    Column("sent_at", String(32), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("detail", Text),
)
