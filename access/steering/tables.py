"""The tables of what people write in the steering cycle, in the application store (the access
store's database: SQLite next to the warehouse by default, or PostgreSQL, :mod:`access.app_db`).

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
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    UniqueConstraint,
)

from access.app_db import LongStr, Str

metadata = MetaData()

#: The partner register: every partner that owns or joins an objective or an action, or has
#: accounts. Loaded from a file (``ivm load partners``) and edited by the beheerder.
partner = Table(
    "partner", metadata,
    Column("partner_id", Str(64), primary_key=True),
    Column("name_nl", Str(200), nullable=False),
    Column("name_en", Str(200)),
    Column("kind", Str(32), nullable=False),
    Column("level", Str(32), nullable=False),
    Column("contact", Str(254)),
    Column("active", Boolean, nullable=False, default=True),
    Column("updated_at", Str(32), nullable=False),
    Column("updated_by", Str(64)),
    #: Where the row's values come from: ``file <name>`` or ``dashboard``.
    Column("origin", Str(300)),
)

#: Partner files loaded before (by checksum): loading the same file again changes nothing.
partner_file = Table(
    "partner_file", metadata,
    Column("sha256", Str(64), primary_key=True),
    Column("file", LongStr, nullable=False),
    Column("loaded_at", Str(32), nullable=False),
    Column("loaded_by", Str(64)),
    Column("rows", Integer, nullable=False),
)

#: Owners' updates: one row per writing (a correction is a new row; the newest counts).
owner_update = Table(
    "owner_update", metadata,
    Column("update_id", Integer, primary_key=True, autoincrement=True),
    Column("plan_version", Str(64), nullable=False),
    Column("period", Str(16), nullable=False, index=True),
    Column("objective_id", Str(64), nullable=False, index=True),
    Column("owner", Str(64)),
    Column("done", LongStr, nullable=False),
    Column("next", LongStr),
    Column("judgement", Str(16), nullable=False),
    Column("reason", LongStr),
    #: The computed status when the update was written, and the date it was as of.
    Column("computed_status", Str(24)),
    Column("computed_as_of", Str(10)),
    Column("author", Str(64), nullable=False),
    Column("role", Str(16), nullable=False),
    Column("written_at", Str(32), nullable=False),
)

#: An action's state changes (the newest is its state; before any, the plan's).
action_state = Table(
    "action_state", metadata,
    Column("change_id", Integer, primary_key=True, autoincrement=True),
    Column("plan_version", Str(64), nullable=False),
    Column("action_id", Str(64), nullable=False, index=True),
    Column("objective_id", Str(64), nullable=False),
    Column("state", Str(16), nullable=False),
    Column("note", LongStr),
    Column("author", Str(64), nullable=False),
    Column("role", Str(16), nullable=False),
    Column("changed_at", Str(32), nullable=False),
)

#: Every objective's status at every refresh, with what it rests on.
status_history = Table(
    "status_history", metadata,
    Column("history_id", Integer, primary_key=True, autoincrement=True),
    Column("recorded_at", Str(32), nullable=False),
    Column("as_of", Str(10), nullable=False, index=True),
    Column("load_id", Integer, nullable=False),
    Column("refresh_id", Integer, nullable=False),
    Column("plan_version", Str(64)),
    Column("objective_id", Str(64), nullable=False, index=True),
    Column("area_id", Str(64), nullable=False),
    Column("status", Str(24), nullable=False),
    Column("qualifier", Str(24)),
    Column("rule", Str(64)),
    Column("probability", Float),
    Column("current_value", Float),
    Column("current_period", Str(32)),
    Column("baseline_value", Float),
    Column("target_value", Float),
    Column("progress", Float),
    Column("reason_nl", LongStr),
    Column("reason_en", LongStr),
    UniqueConstraint("as_of", "load_id", "refresh_id", "plan_version", "objective_id",
                     "area_id", name="status_history_once"),
)

#: Reminders sent (or tried) to a partner for a reporting period.
notice = Table(
    "notice", metadata,
    Column("notice_id", Integer, primary_key=True, autoincrement=True),
    Column("period", Str(16), nullable=False),
    Column("partner_id", Str(64), nullable=False),
    Column("address", Str(254), nullable=False),
    Column("missing", Integer, nullable=False),
    Column("sent_at", Str(32), nullable=False),
    Column("outcome", Str(16), nullable=False),
    Column("detail", LongStr),
)

#: Frozen council packs: one per council meeting in force (a replaced pack stays, marked with
#: the pack that replaced it), with the data version it was computed from.
council_pack = Table(
    "council_pack", metadata,
    Column("pack_id", Integer, primary_key=True, autoincrement=True),
    Column("meeting", Str(10), nullable=False, index=True),
    #: The reporting period reported at the meeting.
    Column("period", Str(16)),
    Column("lang", Str(2), nullable=False),
    Column("plan_version", Str(64)),
    Column("as_of", Str(10), nullable=False),
    Column("load_id", Integer, nullable=False),
    Column("refresh_id", Integer, nullable=False),
    Column("data_version", Str(32), nullable=False),
    Column("frozen_at", Str(32), nullable=False),
    Column("frozen_by", Str(64), nullable=False),
    Column("replaced_by", Integer),
    Column("replaced_at", Str(32)),
    Column("replaced_because", LongStr),
)

#: The files of a frozen pack: per audience the workbook and the PDF, byte for byte.
council_pack_file = Table(
    "council_pack_file", metadata,
    Column("pack_id", Integer, ForeignKey("council_pack.pack_id"), primary_key=True),
    Column("audience", Str(16), primary_key=True),
    Column("kind", Str(8), primary_key=True),
    Column("name", Str(200), nullable=False),
    Column("sha256", Str(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
)

#: Early-warning alerts closed with a note: who closed it, when, and what was found or done.
alert_note = Table(
    "alert_note", metadata,
    Column("note_id", Integer, primary_key=True, autoincrement=True),
    Column("area_id", Str(64), nullable=False),
    Column("kind", Str(32), nullable=False),
    Column("category", Str(64), nullable=False),
    #: The last day of the week the alert opened (ISO date): one alert of a series.
    Column("opened_week", Str(10), nullable=False),
    Column("note", LongStr, nullable=False),
    Column("author", Str(64), nullable=False),
    Column("role", Str(16), nullable=False),
    Column("closed_at", Str(32), nullable=False),
    UniqueConstraint("area_id", "kind", "category", "opened_week", name="alert_note_once"),
)

#: Alert notices sent (or tried) to an owner partner, one per alert and partner.
alert_notice = Table(
    "alert_notice", metadata,
    Column("notice_id", Integer, primary_key=True, autoincrement=True),
    Column("alert", Str(200), nullable=False, index=True),
    Column("partner_id", Str(64), nullable=False),
    Column("address", Str(254), nullable=False),
    Column("sent_at", Str(32), nullable=False),
    Column("outcome", Str(16), nullable=False),
    Column("detail", LongStr),
)
