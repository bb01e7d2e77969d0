"""Load an events calendar: one row per edition of an event, all or nothing.

An event (the carnival, a city festival, a football match) is data the city keeps, not code: a
file names per edition the event's id and names, its first and last day, where it takes place
(an area code, optional) and whether it was cancelled. Event indicators count the facts on the
days of the editions that were held (see :mod:`indicators.events`).

A calendar is small and written by hand, so it is checked whole: any bad row refuses the file
with one line naming the row and column, and nothing is stored. The events a file names are
replaced by the file's editions (a correction is a new file); other events stay as they are.
"""

from __future__ import annotations

import datetime as dt
import re

import duckdb

from core.errors import FileRejected, Where
from core.settings import setting
from etl.delivery import Delivery
from etl.facts import Counts, read_options
from etl.profile import Profile
from etl.readers import FileFacts, read_table
from etl.stage import find_column

#: The canonical columns of an events file, with the names a file may use for them.
COLUMNS: dict[str, tuple[str, ...]] = {
    "event": ("event", "event_id", "evenement"),
    "edition": ("edition", "editie"),
    "name_nl": ("name_nl", "naam", "naam_nl", "name"),
    "name_en": ("name_en", "naam_en"),
    "first_day": ("first_day", "van", "start", "eerste_dag"),
    "last_day": ("last_day", "tot", "end", "laatste_dag"),
    "area": ("area_code", "area_id", "area", "gebied"),
    "cancelled": ("cancelled", "geannuleerd", "afgelast"),
    "note": ("note", "opmerking", "toelichting"),
}
REQUIRED = ("event", "first_day", "last_day")
#: Longest edition an event may have: a festival or a fair, not a season.
MAX_DAYS = 31
#: Most editions one file may hold (a calendar of decades of several events is far smaller).
MAX_ROWS = 5_000
#: How far ahead an edition may be planned.
MAX_YEARS_AHEAD = 5
#: What an event id looks like (indicators name their event by it).
EVENT_ID = re.compile(r"[a-z][a-z0-9_]{0,59}")
_TRUE = {"1", "true", "ja", "j", "yes", "y", "oui", "x", "geannuleerd", "afgelast", "cancelled"}
_FALSE = {"", "0", "false", "nee", "n", "no", "non"}
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


def load_events(
    con: duckdb.DuckDBPyConnection,
    facts: FileFacts,
    kind: str,
    profile: Profile,
    load_id: int,
    delivery: Delivery,
) -> Counts:
    """Load an events file (see module doc); returns the row counts."""
    where = Where(str(facts.path))
    kp = profile.kind("events", where)
    wanted = {key: _names(kp.columns.get(key), alts) for key, alts in COLUMNS.items()}
    names = tuple(n for alts in wanted.values() for n in alts)
    raw = read_table(facts, read_options(profile, names))
    cols = {key: find_column(raw.columns, list(alts)) for key, alts in wanted.items()}
    for key in REQUIRED:
        if cols[key] is None:
            raise FileRejected(
                "missing_column", f"missing the column '{key}' (or {', '.join(wanted[key][1:])})",
                Where(str(facts.path), row=raw.first_data_row - 1),
                hint="an events file has event, first_day, last_day and optionally edition, "
                "name_nl, name_en, area_code, cancelled, note")
    rows = [r for batch in raw.batches for r in batch.to_pylist()]
    if raw.malformed:
        bad = raw.malformed[0]
        raise FileRejected(bad.code, bad.reason, Where(str(facts.path), row=bad.row))
    if not rows:
        raise FileRejected("no_rows", "the file has no event editions", where)
    if len(rows) > MAX_ROWS:
        raise FileRejected("too_many_rows", f"{len(rows):,} editions; at most {MAX_ROWS:,}",
                           where)
    areas = {a for (a,) in con.execute("SELECT area_id FROM area").fetchall()}
    editions = [_edition(row, cols, str(facts.path), areas) for row in rows]
    _check_overlaps(editions, str(facts.path))
    _check_names(editions, str(facts.path))
    return _store(con, editions, load_id)


def _names(mapped: str | list[str] | None, alternatives: tuple[str, ...]) -> tuple[str, ...]:
    """The column names a field is looked up by: the profile's, else the usual ones."""
    if mapped is None:
        return alternatives
    return (mapped,) if isinstance(mapped, str) else tuple(mapped)


def _cell(row: dict, cols: dict[str, str | None], key: str) -> str:
    col = cols[key]
    value = row.get(col) if col else None
    return "" if value is None else str(value).strip()


def _edition(row: dict, cols: dict[str, str | None], file: str, areas: set[str]) -> dict:
    """One row as an edition, or the error naming its row and column."""
    def where(key: str) -> Where:
        return Where(file, row=row["_row"], column=cols[key] or key)

    event = _cell(row, cols, "event").lower()
    if not EVENT_ID.fullmatch(event):
        raise FileRejected("bad_event", f"'{event}' is not an event id (lower-case letters, "
                           "digits and _, starting with a letter, e.g. aalst_carnival)",
                           where("event"))
    first, last = (_day(_cell(row, cols, k), where(k)) for k in ("first_day", "last_day"))
    if last < first:
        raise FileRejected("bad_sequence", f"the last day ({last.isoformat()}) is before the "
                           f"first ({first.isoformat()})", where("last_day"))
    if (last - first).days + 1 > MAX_DAYS:
        raise FileRejected("implausible_value", f"an edition of {(last - first).days + 1} days; "
                           f"an event lasts at most {MAX_DAYS}", where("last_day"))
    earliest = dt.date.fromisoformat(setting("earliest_date"))
    latest = dt.date(dt.date.today().year + MAX_YEARS_AHEAD, 12, 31)
    for key, day in (("first_day", first), ("last_day", last)):
        if not earliest <= day <= latest:
            raise FileRejected("implausible_date", f"{day.isoformat()} lies outside "
                               f"{earliest.isoformat()} to {latest.isoformat()}", where(key))
    area = _cell(row, cols, "area").upper() or None
    if area is not None and area not in areas:
        raise FileRejected("unknown_area", f"unknown area '{area}'", where("area"),
                           hint="load the areas first, or leave the cell empty for the city")
    cancelled = _cell(row, cols, "cancelled").lower()
    if cancelled not in _TRUE | _FALSE:
        raise FileRejected("invalid_bool", f"'{cancelled}' is not yes/no (ja/nee)",
                           where("cancelled"))
    return dict(
        event_id=event, edition=_cell(row, cols, "edition") or str(first.year),
        name_nl=_cell(row, cols, "name_nl"), name_en=_cell(row, cols, "name_en"),
        first_day=first, last_day=last, area_id=area, cancelled=cancelled in _TRUE,
        note=_cell(row, cols, "note") or None, _row=row["_row"],
    )


def _day(text: str, where: Where) -> dt.date:
    for fmt in _DATE_FORMATS:
        try:
            day = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if re.search(r"\d{4}", text):
            return day
    raise FileRejected("invalid_date", f"'{text}' is not a date (YYYY-MM-DD or DD/MM/YYYY)",
                       where)


def _check_overlaps(editions: list[dict], file: str) -> None:
    """Two editions of one event may not share a day, nor one edition name appear twice."""
    by_event: dict[str, list[dict]] = {}
    for e in editions:
        by_event.setdefault(e["event_id"], []).append(e)
    for event, eds in by_event.items():
        seen: dict[str, int] = {}
        for e in eds:
            if e["edition"] in seen:
                raise FileRejected(
                    "duplicate_id", f"edition '{e['edition']}' of '{event}' appears again "
                    f"(first on row {seen[e['edition']]})", Where(file, row=e["_row"],
                                                                  column="edition"))
            seen[e["edition"]] = e["_row"]
        eds = sorted(eds, key=lambda e: e["first_day"])
        for a, b in zip(eds, eds[1:], strict=False):
            if b["first_day"] <= a["last_day"]:
                raise FileRejected(
                    "overlapping_editions",
                    f"editions '{a['edition']}' (row {a['_row']}, {a['first_day']} to "
                    f"{a['last_day']}) and '{b['edition']}' of '{event}' overlap",
                    Where(file, row=b["_row"], column="first_day"),
                    hint="each day belongs to at most one edition of an event")


def _check_names(editions: list[dict], file: str) -> None:
    """Every event has a name: a row without one takes the name of another row of its event
    (in either language); an event without any name is refused."""
    names: dict[str, tuple[str, str]] = {}
    for e in editions:
        nl, en = names.get(e["event_id"], ("", ""))
        names[e["event_id"]] = (nl or e["name_nl"], en or e["name_en"])
    for e in editions:
        nl, en = names[e["event_id"]]
        if not (nl or en):
            raise FileRejected("missing_value", f"event '{e['event_id']}' has no name",
                               Where(file, row=e["_row"], column="name_nl"))
        e["name_nl"] = e["name_nl"] or nl or en
        e["name_en"] = e["name_en"] or en or nl


def _store(con: duckdb.DuckDBPyConnection, editions: list[dict], load_id: int) -> Counts:
    """Replace the stored editions of the file's events by the file's editions."""
    events = sorted({e["event_id"] for e in editions})
    marks = ", ".join("?" for _ in events)
    stored = {(ev, ed): row for ev, ed, *row in con.execute(
        "SELECT event_id, edition, name_nl, name_en, first_day, last_day, area_id, cancelled, "
        f"note FROM event_edition WHERE event_id IN ({marks})", events).fetchall()}
    counts = Counts(read=len(editions))
    con.execute(f"DELETE FROM event_edition WHERE event_id IN ({marks})", events)
    fields = ("name_nl", "name_en", "first_day", "last_day", "area_id", "cancelled", "note")
    for e in editions:
        before = stored.pop((e["event_id"], e["edition"]), None)
        same = before is not None and tuple(before) == tuple(e[f] for f in fields)
        if same:
            counts.skipped += 1
        elif before is not None:
            counts.replaced += 1
        else:
            counts.loaded += 1
        con.execute("INSERT INTO event_edition VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [e["event_id"], e["edition"], *(e[f] for f in fields), load_id])
    counts.removed = len(stored)
    held = sum(not e["cancelled"] for e in editions)
    counts.message = (f"{len(events)} event(s), {len(editions)} edition(s), "
                      f"{len(editions) - held} cancelled")
    return counts
