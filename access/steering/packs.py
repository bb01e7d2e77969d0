"""Frozen council packs (raadsdossiers): the files the council received for a meeting, kept
byte for byte in the application store with the data version they were computed from.

A pack is frozen once per meeting: freezing the same meeting again is refused unless it is
explicitly replaced, and a replacement keeps the old pack (marked with the pack that replaced
it and why) and is written to the audit log. A download reads the stored bytes and checks them
against their SHA-256, so a pack reads the same after any number of loads. The files are
built elsewhere (:mod:`dashboard.export.pack`); this module only keeps them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from access.app_db import reading
from access.steering.tables import council_pack, council_pack_file
from core.errors import IvmError, Where
from core.vocabulary import date

#: The files of a pack: per audience, the workbook and the PDF.
KINDS = ("xlsx", "pdf")
#: The largest file a pack keeps (bytes): a workbook or PDF of a city's plan is far smaller.
MAX_FILE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class PackFile:
    """One stored file of a pack."""

    audience: str
    kind: str
    name: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Pack:
    """A frozen pack: its meeting, what it rests on, who froze it, its files."""

    pack_id: int
    meeting: dt.date
    period: str | None
    lang: str
    plan_version: str | None
    as_of: dt.date
    data_version: str
    frozen_at: str
    frozen_by: str
    replaced_by: int | None
    replaced_at: str | None
    files: tuple[PackFile, ...]

    @property
    def in_force(self) -> bool:
        """Whether this is the meeting's pack (not replaced)."""
        return self.replaced_by is None

    def audiences(self) -> list[str]:
        """The audiences the pack has files for."""
        return sorted({f.audience for f in self.files})


@dataclass(frozen=True)
class PackMeta:
    """What a pack is computed from: the meeting, its reporting period, the language, the plan
    version and the data version (load, refresh, as-of date)."""

    meeting: dt.date
    period: str | None
    lang: str
    plan_version: str | None
    as_of: dt.date
    load_id: int
    refresh_id: int

    @property
    def data_version(self) -> str:
        """The data version's label (``12.4``: load 12, refresh 4)."""
        return f"{self.load_id}.{self.refresh_id}"


class CouncilPacks:
    """The frozen council packs of one application store."""

    def __init__(self, engine: Engine, audit: Callable[..., None], now: Callable[[], str]):
        self.engine, self._audit, self._now = engine, audit, now

    def freeze(self, meta: PackMeta, files: Mapping[tuple[str, str], tuple[str, bytes]],
               user: str, role: str, replace: bool = False,
               because: str | None = None, at: str | None = None) -> Pack:
        """Store a pack's files (``files``: per (audience, kind) a file name and its bytes).
        Refused when the meeting has a pack already, unless ``replace``: then the old pack is
        kept, marked replaced, and the replacement is audited. ``at``: the time it was frozen
        (default: now)."""
        for (audience, kind), (_name, body) in files.items():
            if kind not in KINDS:
                raise ValueError(f"unknown kind of pack file {kind!r}")
            if not body or len(body) > MAX_FILE_BYTES:
                raise IvmError("bad_pack_file", f"the {kind} file for the {audience} audience "
                               f"has {len(body):,} bytes", hint=f"at most {MAX_FILE_BYTES:,}")
        stamp = at or self._now()
        with self.engine.begin() as con:
            old = con.execute(select(council_pack).where(
                council_pack.c.meeting == meta.meeting.isoformat(),
                council_pack.c.replaced_by.is_(None))).first()
            if old is not None and not replace:
                raise _frozen(meta.meeting, old)
            new_id = con.execute(insert(council_pack).values(
                meeting=meta.meeting.isoformat(), period=meta.period, lang=meta.lang,
                plan_version=meta.plan_version, as_of=meta.as_of.isoformat(),
                load_id=meta.load_id, refresh_id=meta.refresh_id,
                data_version=meta.data_version, frozen_at=stamp,
                frozen_by=user)).inserted_primary_key[0]
            con.execute(insert(council_pack_file), [
                {"pack_id": new_id, "audience": audience, "kind": kind, "name": name,
                 "sha256": hashlib.sha256(body).hexdigest(), "size": len(body),
                 "content": body}
                for (audience, kind), (name, body) in sorted(files.items())])
            if old is not None:
                con.execute(update(council_pack).where(
                    council_pack.c.pack_id == old.pack_id).values(
                    replaced_by=new_id, replaced_at=stamp, replaced_because=because))
        if old is not None:
            self._audit("pack_replaced", user, role, detail=(
                f"council pack {meta.meeting.isoformat()}: pack {old.pack_id} (data "
                f"{old.data_version}) replaced by pack {new_id} (data {meta.data_version})"
                + (f": {because}" if because else "")))
        else:
            self._audit("pack_frozen", user, role, detail=(
                f"council pack {meta.meeting.isoformat()}: pack {new_id} (data "
                f"{meta.data_version}, plan {meta.plan_version})"))
        return self.pack(int(new_id))  # type: ignore[return-value]

    def refuse_frozen(self, meeting: dt.date) -> None:
        """Refuse (the error of :meth:`freeze`) when ``meeting`` has a pack in force."""
        with reading(self.engine).connect() as con:
            old = con.execute(select(council_pack).where(
                council_pack.c.meeting == meeting.isoformat(),
                council_pack.c.replaced_by.is_(None))).first()
        if old is not None:
            raise _frozen(meeting, old)

    def packs(self, in_force_only: bool = True) -> list[Pack]:
        """Every pack, the newest meeting first (only the meetings' packs in force, unless
        ``in_force_only`` is false)."""
        q = select(council_pack).order_by(council_pack.c.meeting.desc(),
                                          council_pack.c.pack_id.desc())
        if in_force_only:
            q = q.where(council_pack.c.replaced_by.is_(None))
        with reading(self.engine).connect() as con:
            rows = list(con.execute(q))
            files = list(con.execute(select(
                council_pack_file.c.pack_id, council_pack_file.c.audience,
                council_pack_file.c.kind, council_pack_file.c.name, council_pack_file.c.sha256,
                council_pack_file.c.size).order_by(council_pack_file.c.audience,
                                                   council_pack_file.c.kind)))
        by_pack: dict[int, list[PackFile]] = {}
        for f in files:
            by_pack.setdefault(f.pack_id, []).append(PackFile(f.audience, f.kind, f.name,
                                                              f.sha256, f.size))
        return [Pack(r.pack_id, dt.date.fromisoformat(r.meeting), r.period, r.lang,
                     r.plan_version, dt.date.fromisoformat(r.as_of), r.data_version,
                     r.frozen_at, r.frozen_by, r.replaced_by, r.replaced_at,
                     tuple(by_pack.get(r.pack_id, ()))) for r in rows]

    def pack(self, pack_id: int) -> Pack | None:
        """One pack by its id."""
        return next((p for p in self.packs(in_force_only=False) if p.pack_id == pack_id), None)

    def of_meeting(self, meeting: dt.date) -> Pack | None:
        """The pack in force for a meeting, or None."""
        return next((p for p in self.packs() if p.meeting == meeting), None)

    def content(self, pack_id: int, audience: str, kind: str) -> tuple[str, bytes]:
        """A pack file's name and bytes, exactly as frozen (checked against its SHA-256)."""
        with reading(self.engine).connect() as con:
            row = con.execute(select(council_pack_file).where(
                council_pack_file.c.pack_id == pack_id,
                council_pack_file.c.audience == audience,
                council_pack_file.c.kind == kind)).first()
        if row is None:
            raise IvmError("no_pack_file", f"pack {pack_id} has no {kind} file for the "
                           f"{audience} audience", Where(field="pack"))
        body = bytes(row.content)
        if hashlib.sha256(body).hexdigest() != row.sha256:
            raise IvmError("pack_damaged", f"the stored {kind} file of pack {pack_id} does not "
                           "match its checksum", hint="restore the application store from a "
                           "backup")
        return row.name, body


def _frozen(meeting: dt.date, old: Any) -> IvmError:
    return IvmError(
        "pack_frozen", f"the council pack of {date(meeting)} was frozen on "
        f"{date(old.frozen_at)} by {old.frozen_by} (data version {old.data_version}); it is "
        "kept as it is", Where(field="meeting"),
        hint="replace it explicitly (--replace); the old pack stays readable")


__all__ = ["KINDS", "CouncilPacks", "Pack", "PackFile", "PackMeta"]
