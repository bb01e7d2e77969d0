"""The partner register: every partner of the plan (police zone, city services, external
partners) with its names, kind, level and the address its notices go to.

It is loaded from a file like the other sources (``ivm load partners FILE``: CSV, TSV or XLSX,
read by the same readers; every row checked, every problem reported with file, row and column;
all or nothing; the same file twice changes nothing) and edited by the beheerder on the Beheer
page. Plans and accounts refer to it by id: an unknown partner is an error naming the close
matches (:func:`indicators.close_matches`). Every load and edit is in the audit log.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from access.app_db import reading
from access.roles import Viewer
from access.steering.tables import partner, partner_file
from core.errors import FileRejected, IvmError, Where
from core.vocabulary import PARTNER_KINDS, PARTNER_LEVELS
from etl.readers import inspect_file, read_table
from etl.readers.base import ReadOptions
from indicators import close_matches

#: A partner id: what plans and accounts write (letters, digits, '-', '_', '.').
PARTNER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
#: A contact address: one e-mail address.
ADDRESS = re.compile(r"^[^@\s<>,;\"']{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
#: A register file holds at most this many partners.
MAX_ROWS = 10_000
#: The columns of a register file: field -> the headers it may have (Dutch and English).
COLUMNS = {
    "partner_id": ("id", "partner", "partner_id", "code"),
    "name_nl": ("naam", "naam_nl", "name", "name_nl"),
    "name_en": ("naam_en", "name_en", "english_name"),
    "kind": ("soort", "kind", "type"),
    "level": ("niveau", "level"),
    "contact": ("contact", "contactadres", "e-mail", "email", "mail"),
}
REQUIRED = ("partner_id", "name_nl", "kind", "level")
FIELDS = ("name_nl", "name_en", "kind", "level", "contact", "active")


@dataclass(frozen=True)
class Partner:
    """One partner of the register."""

    partner_id: str
    name_nl: str
    name_en: str | None
    kind: str
    level: str
    contact: str | None
    active: bool
    updated_at: str
    updated_by: str | None
    origin: str | None

    def name(self, lang: str) -> str:
        """The partner's name in ``lang`` (Dutch when there is no English one)."""
        return (self.name_en if lang == "en" and self.name_en else self.name_nl)


def _choice(value: str, table: dict[str, dict[str, str]]) -> str | None:
    folded = value.strip().casefold()
    for key, words in table.items():
        if folded in (key.casefold(), words["nl"].casefold(), words["en"].casefold()):
            return key
    return None


def check_values(values: dict[str, Any]) -> list[tuple[str, str]]:
    """Every problem of one partner's values, as (field, message)."""
    out = []
    pid = values.get("partner_id") or ""
    if not PARTNER_ID.match(pid):
        out.append(("partner_id", f"'{pid}' is not a partner id (1-64 letters, digits, '-', "
                                  "'_' or '.', starting with a letter or digit)"))
    for name in ("name_nl", "name_en"):
        text = values.get(name)
        if name == "name_nl" and not text:
            out.append((name, "a partner needs a Dutch name"))
        elif text and (len(text) > 200 or any(ord(ch) < 32 for ch in text)):
            out.append((name, "a name is one line of at most 200 characters"))
    if values.get("kind") not in PARTNER_KINDS:
        out.append(("kind", f"unknown kind '{values.get('kind_text', values.get('kind'))}' "
                            f"(one of {', '.join(w['nl'] for w in PARTNER_KINDS.values())})"))
    if values.get("level") not in PARTNER_LEVELS:
        out.append(("level", f"unknown level '{values.get('level_text', values.get('level'))}' "
                             f"(one of {', '.join(w['nl'] for w in PARTNER_LEVELS.values())})"))
    contact = values.get("contact")
    if contact and not ADDRESS.match(contact):
        out.append(("contact", f"'{contact}' is not an e-mail address"))
    return out


def read_register_file(path: Path) -> list[dict[str, Any]]:
    """A register file's rows as partner values; FileRejected names the first problem (file,
    row, column) and how many more there are."""
    where = Where(str(path))
    facts = inspect_file(path)
    table = read_table(facts, ReadOptions(expected_columns=("id", "naam", "soort", "niveau")))
    found: dict[str, str] = {}
    for header in table.columns:
        for field, names in COLUMNS.items():
            if header.strip().casefold() in names and field not in found:
                found[field] = header
    missing = [f for f in REQUIRED if f not in found]
    if missing:
        raise FileRejected(
            "missing_column", f"no column for {', '.join(missing)} (found: "
            f"{', '.join(table.columns)})", where,
            hint="columns: id, naam, naam_en, soort, niveau, contact")
    rows: list[dict[str, Any]] = []
    problems: list[IvmError] = []
    first_row: dict[str, int] = {}
    for batch in table.batches:
        data = batch.to_pydict()
        for i, number in enumerate(data["_row"]):
            if len(rows) >= MAX_ROWS:
                raise FileRejected("too_many_rows", f"more than {MAX_ROWS:,} partners", where,
                                   hint="a partner register is one row per partner")
            raw = {f: (data[h][i] or "").strip() for f, h in found.items()}
            if not any(raw.values()):
                continue
            values = {
                "partner_id": raw["partner_id"], "name_nl": raw["name_nl"],
                "name_en": raw.get("name_en") or None, "contact": raw.get("contact") or None,
                "kind": _choice(raw["kind"], PARTNER_KINDS), "kind_text": raw["kind"],
                "level": _choice(raw["level"], PARTNER_LEVELS), "level_text": raw["level"],
                "row": number,
            }
            for field, message in check_values(values):
                problems.append(IvmError("invalid_partner", message,
                                         Where(str(path), row=number, column=found.get(field,
                                                                                       field))))
            pid = values["partner_id"]
            if pid in first_row:
                problems.append(IvmError(
                    "duplicate_id", f"partner '{pid}' appears twice (rows {first_row[pid]} and "
                    f"{number})", Where(str(path), row=number, column=found["partner_id"])))
            first_row.setdefault(pid, number)
            rows.append(values)
    if table.malformed:
        bad = table.malformed[0]
        problems.insert(0, IvmError(bad.code, bad.reason, Where(str(path), row=bad.row)))
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise FileRejected(first.code, first.message + more, first.where, first.hint)
    if not rows:
        raise FileRejected("no_rows", "the file holds no partners", where)
    return rows


class PartnerRegister:
    """The partner register of one application store."""

    def __init__(self, engine: Engine, audit: Callable[..., None], now: Callable[[], str]):
        self.engine, self._audit, self._now = engine, audit, now

    # -- reading ------------------------------------------------------------------------------

    def all(self, active_only: bool = False) -> list[Partner]:
        """Every partner, by id."""
        q = select(*_COLUMNS).order_by(partner.c.partner_id)
        if active_only:
            q = q.where(partner.c.active.is_(True))
        with reading(self.engine).connect() as con:
            return [Partner(*r) for r in con.execute(q)]

    def get(self, partner_id: str) -> Partner | None:
        """One partner, or None."""
        with reading(self.engine).connect() as con:
            row = con.execute(select(*_COLUMNS).where(
                partner.c.partner_id == partner_id)).first()
        return Partner(*row) if row else None

    def ids_and_names(self) -> dict[str, tuple[str, ...]]:
        """Every partner id with its names: what a plan's partners are checked against."""
        return {p.partner_id: tuple(n for n in (p.name_nl, p.name_en) if n)
                for p in self.all()}

    def names(self, lang: str) -> dict[str, str]:
        """Every partner's name in ``lang``, by id."""
        return {p.partner_id: p.name(lang) for p in self.all()}

    def require(self, partner_id: str, what: str = "partner") -> Partner | None:
        """The partner ``partner_id``; an error naming the close matches when it is unknown.
        Before any register is loaded there is nothing to check against: None (partners are
        free text until the city loads its register, as plans are)."""
        found = self.get(partner_id)
        if found is not None:
            return found
        register = self.ids_and_names()
        if not register:
            return None
        close = close_matches(partner_id, register)
        raise IvmError("unknown_partner", f"unknown {what} '{partner_id}'",
                       hint=(f"close matches: {', '.join(close)}" if close else
                             "`ivm partners list` shows the register"))

    def files_loaded(self) -> set[str]:
        """The checksums of every register file loaded."""
        with reading(self.engine).connect() as con:
            return {r[0] for r in con.execute(select(partner_file.c.sha256))}

    # -- writing ------------------------------------------------------------------------------

    def load_file(self, path: str | Path, user: str | None = None) -> str:
        """Load a register file (all or nothing); a summary line. A file loaded before
        unchanged changes nothing."""
        path = Path(path)
        if not path.is_file():
            raise IvmError("no_file", "no such file", Where(str(path)))
        sha = inspect_file(path).sha256
        with reading(self.engine).connect() as con:
            if con.execute(select(partner_file.c.sha256).where(
                    partner_file.c.sha256 == sha)).first():
                return f"{path}: identical to a partner file loaded before: nothing to change"
        rows = read_register_file(path)
        stamp = self._now()
        added = changed = same = 0
        overridden: list[str] = []
        with self.engine.begin() as con:
            existing = {r.partner_id: r for r in con.execute(select(partner))}
            for values in rows:
                new = {k: values[k] for k in ("name_nl", "name_en", "kind", "level", "contact")}
                old = existing.get(values["partner_id"])
                if old is None:
                    con.execute(insert(partner).values(
                        partner_id=values["partner_id"], **new, active=True, updated_at=stamp,
                        updated_by=user, origin=f"file {path.name}"))
                    added += 1
                    continue
                before = {k: getattr(old, k) for k in new}
                if before == new and old.active:
                    same += 1
                    continue
                if old.origin == "dashboard":
                    overridden.append(values["partner_id"])
                con.execute(update(partner).where(
                    partner.c.partner_id == values["partner_id"]).values(
                    **new, active=True, updated_at=stamp, updated_by=user,
                    origin=f"file {path.name}"))
                changed += 1
            con.execute(insert(partner_file).values(sha256=sha, file=str(path.resolve()),
                                                    loaded_at=stamp, loaded_by=user,
                                                    rows=len(rows)))
        kept = len(set(existing) - {v["partner_id"] for v in rows})
        text = (f"{path}: read {len(rows)}, added {added}, changed {changed}, unchanged {same}"
                + (f", {kept} partner(s) not in this file kept" if kept else ""))
        if overridden:
            text += ("; warning: replaces the beheerder's edits of " + ", ".join(overridden)
                     + " (the audit log keeps them)")
        self._audit("partners_loaded", user, "cli", detail=text[:2000])
        return text

    def save(self, viewer: Viewer, partner_id: str, **values: Any) -> Partner:
        """Add a partner or change one (the beheerder only); audited with what changed."""
        if not viewer.role.admin:
            raise IvmError("not_allowed", "only the beheerder edits the partner register")
        old = self.get(partner_id)
        merged = {f: getattr(old, f) for f in FIELDS} if old else {"active": True}
        merged.update({k: (v.strip() if isinstance(v, str) else v) or None
                       for k, v in values.items() if k in FIELDS})
        if "active" in values:
            merged["active"] = bool(values["active"])
        merged["partner_id"] = partner_id
        for key in ("kind", "level"):
            table = PARTNER_KINDS if key == "kind" else PARTNER_LEVELS
            text = merged.get(key)
            if isinstance(text, str) and text not in table:
                merged[f"{key}_text"] = text
                merged[key] = _choice(text, table)
        problems = check_values(merged)
        if problems:
            field, message = problems[0]
            raise IvmError("invalid_partner", message, Where(field=field))
        new = {f: merged.get(f) for f in FIELDS}
        new["active"] = bool(new["active"])
        stamp = self._now()
        with self.engine.begin() as con:
            if old is None:
                con.execute(insert(partner).values(partner_id=partner_id, **new,
                                                   updated_at=stamp, updated_by=viewer.name,
                                                   origin="dashboard"))
            else:
                con.execute(update(partner).where(partner.c.partner_id == partner_id).values(
                    **new, updated_at=stamp, updated_by=viewer.name, origin="dashboard"))
        diff = ("added" if old is None else ", ".join(
            f"{f}: {getattr(old, f)!r} -> {new[f]!r}" for f in FIELDS
            if getattr(old, f) != new[f]) or "no change")
        self._audit("partner_changed", viewer.name, viewer.role.name,
                    detail=f"{partner_id}: {diff}"[:2000])
        return self.get(partner_id)  # type: ignore[return-value]


_COLUMNS = (partner.c.partner_id, partner.c.name_nl, partner.c.name_en, partner.c.kind,
            partner.c.level, partner.c.contact, partner.c.active, partner.c.updated_at,
            partner.c.updated_by, partner.c.origin)
