"""A first profile for a new supplier's file, proposed from the file itself (``ivm profile draft``).

The file is read as a load reads it (any format the readers know); its values are sampled
(the first :data:`SAMPLE_ROWS` rows, and every distinct value of the category column up to
:data:`MAX_CATEGORIES`). The draft proposes, with the evidence as YAML comments:

- which column gives each canonical field of the kind: by name (the field's own name and the
  usual Dutch, French and English headers), checked against the values (a date column must hold
  dates, a longitude column longitudes);
- the date formats that read every sampled date, day first where the values allow both, and
  month precision when every date is the first of a month (police.uk);
- the decimal convention of the number columns, decided from their values;
- every value of the category column with its count and the category id it maps to: the id
  itself, its Dutch or English label, a spelling a built-in profile maps, else ``?`` (to be
  chosen: ``ivm profile check`` refuses it, naming the valid ids);
- the area rule (a code column, coordinates, or both).

It is a draft: a person reads it, completes it and runs ``ivm profile check``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import IvmError
from etl.decimals import COMMA_ONLY, POINT_ONLY
from etl.profile import DEFAULT_DATE_FORMATS, KINDS, builtin_profiles
from etl.profile_check import SKIP, kind_fields
from etl.readers import inspect_file, read_table
from etl.readers.base import ROW, ReadOptions
from etl.taxonomy import canonical_values, taxonomy

#: Rows sampled for names, dates and numbers; distinct category values listed at most.
SAMPLE_ROWS = 20_000
MAX_CATEGORIES = 300
#: Rows read at most (the distinct values of a category column are counted over them).
COUNT_ROWS = 2_000_000
#: Formats tried besides the defaults: month only (police.uk), month first (US exports).
_MORE_FORMATS = ["%Y-%m", "%Y%m%d", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y"]

#: Usual headers of each canonical field (compared without case, spaces or punctuation).
ALIASES: dict[str, list[str]] = {
    "source_id": ["id", "crime id", "incident id", "pv nummer", "pv", "nummer", "melding id",
                  "meldingnummer", "meldingsnummer", "dossiernummer", "registratienummer",
                  "referentie", "reference", "respondent id", "respondent"],
    "category": ["crimetype", "categorie", "category", "misdrijf", "feit", "feitcategorie",
                 "offence", "offencetype", "type", "soort"],
    "type": ["type overlast", "overlasttype", "type", "soort", "subtype", "crime type",
             "categorie", "category"],
    "occurred_at": ["occurred", "feitdatum", "datum feit", "pleegdatum", "datum", "date",
                    "datetime", "month", "maand"],
    "reported_at": ["reported", "meldingsdatum", "datum melding", "aangiftedatum",
                    "datum aangifte", "aangifte", "gemeld", "datum", "date", "datetime",
                    "month", "maand"],
    "dispatched_at": ["dispatched", "dispatch", "uitgestuurd", "vertrek"],
    "arrived_at": ["arrived", "arrival", "aankomst", "ter plaatse"],
    "closed_at": ["closed", "afgesloten", "gesloten", "afsluitdatum"],
    "priority": ["prioriteit", "prio"],
    "longitude": ["lon", "lng", "long", "lengtegraad", "xwgs84", "x"],
    "latitude": ["lat", "breedtegraad", "ywgs84", "y"],
    "location": ["locatie", "adres", "address", "straat", "street", "plaats"],
    "channel": ["kanaal"],
    "gas_fine": ["gasboete", "gas"],
    "wave": ["golf", "meting", "jaar", "year", "editie"],
    "weight": ["gewicht", "weging", "wgt"],
    "age_group": ["leeftijdsgroep", "leeftijdscategorie", "leeftijd", "age"],
    "partner": ["dienst", "organisatie"],
    "activity_type": ["activiteit", "activity", "type", "soort"],
    "activity_date": ["datum", "date"],
    "quantity": ["aantal", "count", "hoeveelheid", "number"],
    "unit": ["eenheid"],
    "year": ["jaar"],
    "inhabitants": ["inwoners", "population", "bevolking", "pop", "allages", "totaal"],
    "households": ["huishoudens"],
    "day_population": ["dagbevolking"],
    "visitors": ["bezoekers"],
    "code": ["areacode", "areaid", "statsec", "geoitem", "wardcode", "gsscode", "niscode",
             "objectid", "cd_sector"],
    "name": ["naam", "wardname", "statsecnaam", "wijknaam", "district", "label"],
    "level": ["niveau"],
    "event": ["eventid", "evenement"],
    "first_day": ["van", "start", "eerstedag"],
    "last_day": ["tot", "end", "laatstedag"],
    "edition": ["editie"],
    "name_nl": ["naam", "naamnl", "name"],
    "name_en": ["naamen"],
    "cancelled": ["geannuleerd", "afgelast"],
    "note": ["opmerking", "toelichting"],
}
ALIASES["area_code"] = ["area id", "area", "gebied", "gebiedscode", "wijk", "wijkcode",
                        "statsec", "sector", "sectorcode", "nis code", "ward code", "gss code",
                        "ward"]
#: Headers of an area's parent columns.
PARENT_ALIASES = ["parentid", "parent", "wijk", "deelgemeente", "gemeente", "district",
                  "project"]
_DATE_TYPES = ("datetime", "date")
_NUMBER_TYPES = ("int", "number")


def _key(name: str) -> str:
    return re.sub(r"[\W_]", "", name.casefold())


@dataclass
class Sample:
    """What was read of the file: header, the first rows' values per column, and the count of
    every distinct value of each column that has at most :data:`MAX_CATEGORIES` of them."""

    columns: list[str]
    values: dict[str, list[str]]
    rows: int
    counted: int
    distinct: dict[str, Counter | None]
    details: dict[str, str] = field(default_factory=dict)


@dataclass
class Draft:
    """A proposed profile: its YAML text and the notes for the person completing it."""

    yaml: str
    notes: list[str]
    bound: dict[str, str]
    unresolved: list[str]


def read_sample(path: Path) -> Sample:
    """The header, the first :data:`SAMPLE_ROWS` rows' values of every column, and the
    distinct values of every column with few of them, over the first :data:`COUNT_ROWS`."""
    import pyarrow.compute as pc

    facts = inspect_file(path)
    raw = read_table(facts, ReadOptions(decimal="."))
    values: dict[str, list[str]] = {c: [] for c in raw.columns}
    distinct: dict[str, Counter | None] = {c: Counter() for c in raw.columns}
    rows = counted = 0
    for batch in raw.batches:
        take = min(batch.num_rows, SAMPLE_ROWS - rows)
        for name, column in zip(batch.schema.names, batch.columns, strict=True):
            if name == ROW:
                continue
            if take > 0:
                values[name].extend(column.slice(0, take).to_pylist())
            seen = distinct[name]
            if seen is not None:
                for pair in pc.value_counts(column).to_pylist():
                    seen[pair["values"]] += pair["counts"]
                if len(seen) > MAX_CATEGORIES:
                    distinct[name] = None
        rows += max(take, 0)
        counted += batch.num_rows
        if counted >= COUNT_ROWS:
            break
    return Sample(raw.columns, values, rows, counted, distinct, dict(raw.details))


def draft_profile(path: Path, kind: str, name: str | None = None,
                  category: str | None = None) -> Draft:
    """Propose a profile for ``path`` as ``kind`` (see the module doc)."""
    if kind not in KINDS:
        raise IvmError("unknown_kind", f"unknown kind '{kind}'", hint=f"one of {', '.join(KINDS)}")
    fields = kind_fields(kind)
    _check_category(kind, category)
    sample = read_sample(path)
    notes: list[str] = []
    columns = [c for c in sample.columns if c != "geometry"]
    used: set[str] = set()
    wanted = [(f, t) for f, t, _ in fields if t not in ("area", "parents", "geometry")
              and not (t == "category" and category)]
    if any(t == "area" for _, t, _ in fields):
        wanted.append(("area_code", "text"))
    bound = _assign(wanted, columns, used, sample)
    text: list[str] = []
    profile_name = name or re.sub(r"[^a-z0-9]+", "-", path.name.split(".")[0].casefold()).strip(
        "-") or "draft"
    given = f" --category {category}" if category else ""
    text.append(f"# Drafted by `ivm profile draft {path.name} --kind {kind}{given}` from "
                f"{sample.counted:,} row(s) read; read it, complete it, then run "
                "`ivm profile check`.")
    text.append("spec: 1")
    text.append(f"name: {profile_name}")
    text.append(f"description: {_q(f'{kind} from files like {path.name} (drafted)')}")
    delimiter = sample.details.get("delimiter")
    if delimiter:
        text.append(f"delimiter: {_q(delimiter)}")
    encoding = sample.details.get("encoding")
    if encoding and encoding not in ("utf-8", "utf-8-sig"):
        text.append(f"encoding: {encoding}")
    decimal, decimal_notes = _decimal(bound, fields, sample, columns, used)
    notes += decimal_notes
    if decimal:
        text.append(f"decimal: {_q(decimal)}")
    date_cols = [bound[f] for f, t, _ in fields if t in _DATE_TYPES and f in bound]
    formats, monthly, date_notes = _date_formats(date_cols, sample)
    notes += date_notes
    if formats:
        text.append("date_formats: [" + ", ".join(_q(f) for f in formats) + "]")
    text.append("kinds:")
    text.append(f"  {kind}:")
    text.append(f"    source: {profile_name}")
    if kind not in ("areas", "events") and monthly:
        text.append("    date_precision: month  # every date is the first of a month")
    text.append("    columns:")
    missing = []
    for fname, ftype, required in fields:
        if ftype in ("area", "parents", "geometry"):
            continue
        if fname in bound:
            text.append(f"      {fname}: {_q(bound[fname])}")
        elif required and not (category and ftype == "category"):
            missing.append(fname)
    if text[-1] == "    columns:":
        text[-1] = "    columns: {}"
    unresolved: list[str] = []
    cat_field = next((f for f, t, _ in fields if t == "category"), None)
    if cat_field and category:
        text.append(f"    constants: {{{cat_field}: {_q(category)}}}")
    elif cat_field and cat_field in bound:
        counts = sample.distinct[bound[cat_field]]
        if counts is None:
            notes.append(f"column '{bound[cat_field]}' has more than {MAX_CATEGORIES} distinct "
                         f"values: is it the {cat_field}?")
        else:
            lines, unresolved = _categories(kind, counts)
            text += lines
    if kind == "areas":
        lines, area_notes = _area_file_lines(bound, columns, used, sample)
        text += lines
        notes += area_notes
    elif any(t == "area" for _, t, _ in fields):
        lines, area_notes = _area_rule(bound, columns, used, sample)
        text += lines
        notes += area_notes
    if kind == "survey":
        questions = [c for c in columns if c not in used and _key(c).startswith(("q", "vraag"))]
        used.update(questions)
        prefix = _common_prefix(questions)
        if prefix:
            text.append(f"    questions: {_q(prefix + '*')}")
        elif questions:
            text.append("    questions: [" + ", ".join(_q(q) for q in questions) + "]")
        else:
            notes.append("no question columns found (names starting with q or vraag): list "
                         "them under questions:")
    if missing:
        notes.append("no column found for the required field(s) " + ", ".join(missing)
                     + ": name the column under columns:, or give a value under constants:"
                     + (" (or --category when loading)" if cat_field in missing else ""))
    if cat_field and cat_field not in bound and not category:
        notes.append(f"no {cat_field} column: every row's {cat_field} comes from --category "
                     f"when loading, or constants: {{{cat_field}: ID}}; ids: "
                     + ", ".join(canonical_values(kind)))
    if unresolved:
        notes.append(f"{len(unresolved)} value(s) of the {cat_field} column map to '?': choose "
                     "a category id for each (or _skip); ids: " + ", ".join(canonical_values(kind)))
    unused = [c for c in columns if c not in used]
    if unused:
        text.append("# columns not used: " + ", ".join(unused))
    body = "\n".join(text[:1] + [f"# note: {n}" for n in notes] + text[1:]) + "\n"
    return Draft(body, notes, bound, unresolved)


def _check_category(kind: str, category: str | None) -> None:
    """Refuse a ``--category`` that is no category id of ``kind`` (naming the valid ones)."""
    if category is None:
        return
    if not any(t == "category" for _, t, _ in kind_fields(kind)):
        raise IvmError("bad_option", f"--category applies to incidents and nuisance, not {kind}")
    valid = canonical_values(kind)
    if category not in valid:
        raise IvmError("unknown_category", f"--category '{category}' is not a category of {kind}",
                       hint="valid: " + ", ".join(valid))


def _q(value: str) -> str:
    """A YAML scalar for ``value`` (JSON strings are YAML)."""
    return json.dumps(value, ensure_ascii=False)


def _filled(values: list[str | None]) -> list[str]:
    return [v.strip() for v in values if v is not None and v.strip()]


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.casefold())


def _score(header: str, fname: str) -> int:
    """How well ``header`` names the field: the field's name or a usual header exactly (the
    earlier in :data:`ALIASES`, the better), else a usual header's words among the header's
    (``Datum/uur feit`` holds ``datum feit``; more words, a better match); 0: not at all."""
    key, words = _key(header), set(_words(header))
    best = 0
    for i, alias in enumerate([fname, *ALIASES.get(fname, [])]):
        if key == _key(alias):
            best = max(best, 1000 - i)
        elif len(_key(alias)) >= 3 and set(_words(alias)) <= words:
            best = max(best, 100 * len(_words(alias)) - i)
    return best


def _assign(wanted: list[tuple[str, str]], columns: list[str], used: set[str],
            sample: Sample) -> dict[str, str]:
    """Each field's column: the best-named pairs first, each column to one field, and only
    where the column's values fit the field's type."""
    pairs = sorted(
        (-_score(col, fname), i, j, fname, ftype, col)
        for i, (fname, ftype) in enumerate(wanted)
        for j, col in enumerate(columns)
        if col not in used and _score(col, fname) > 0
    )
    bound: dict[str, str] = {}
    for *_, fname, ftype, col in pairs:
        if fname in bound or col in used:
            continue
        if _fits(ftype, fname, _filled(sample.values[col][:2000])):
            bound[fname] = col
            used.add(col)
    return bound


def _match(fname: str, ftype: str, columns: list[str], used: set[str],
           sample: Sample) -> str | None:
    """The column for one field (see :func:`_assign`)."""
    return _assign([(fname, ftype)], columns, used, sample).get(fname)


def _fits(ftype: str, fname: str, values: list[str]) -> bool:
    """Whether most sampled values suit the field's type (an empty column suits any)."""
    if not values:
        return True
    if ftype in _DATE_TYPES:
        return _share(values, lambda v: _date_format(v) is not None) >= 0.9
    if ftype in _NUMBER_TYPES:
        numbers = [_number(v) for v in values]
        if _share(numbers, lambda n: n is not None) < 0.9:
            return False
        bound = {"longitude": 180, "latitude": 90}.get(fname)
        return bound is None or all(abs(n) <= bound for n in numbers if n is not None)
    return True


def _share(items: list, test) -> float:  # noqa: ANN001 (a predicate)
    return sum(1 for i in items if test(i)) / len(items)


def _number(text: str) -> float | None:
    t = text.replace(" ", "").replace("\u00a0", "")
    if re.fullmatch(r"[-+]?\d{1,3}(\.\d{3})+,\d+|[-+]?\d+,\d+", t):
        t = t.replace(".", "").replace(",", ".")
    else:
        t = t.replace(",", "")
    try:
        return float(t)
    except ValueError:
        return None


def _date_format(value: str) -> str | None:
    for fmt in [*DEFAULT_DATE_FORMATS, *_MORE_FORMATS]:
        try:
            dt.datetime.strptime(value, fmt)
            return fmt
        except ValueError:
            continue
    return None


def _date_formats(cols: list[str], sample: Sample) -> tuple[list[str], bool, list[str]]:
    """The formats reading every sampled date of ``cols`` (day first unless a value shows month
    first), whether every date is the first of a month, and notes."""
    notes: list[str] = []
    found: list[str] = []
    stamps: list[dt.datetime] = []
    for col in cols:
        values = _filled(sample.values[col])
        month_first = any(re.match(r"\d{1,2}/(1[3-9]|2\d|3[01])/", v) for v in values)
        order = [*_MORE_FORMATS[2:], *DEFAULT_DATE_FORMATS, *_MORE_FORMATS[:2]] if month_first \
            else [*DEFAULT_DATE_FORMATS, *_MORE_FORMATS]
        unread = 0
        for v in values:
            fmt = next((f for f in order if _parses(v, f)), None)
            if fmt is None:
                unread += 1
                continue
            stamps.append(dt.datetime.strptime(v, fmt))
            if fmt not in found:
                found.append(fmt)
        if month_first:
            notes.append(f"column '{col}' writes the month first (e.g. 12/31/2024)")
        if unread:
            notes.append(f"{unread:,} sampled value(s) of column '{col}' are no date in any "
                         "known format: those rows would be quarantined")
    monthly = len({(s.year, s.month) for s in stamps}) > 1 and all(
        s.day == 1 and s.time() == dt.time(0) for s in stamps)
    return found, monthly, notes


def _parses(value: str, fmt: str) -> bool:
    try:
        dt.datetime.strptime(value, fmt)
        return True
    except ValueError:
        return False


def _decimal(bound: dict[str, str], fields: list, sample: Sample, columns: list[str],
             used: set[str]) -> tuple[str | None, list[str]]:
    """The decimal separator every number column shows (None: they show none, or differ)."""
    numeric = [bound[f] for f, t, _ in fields if t in _NUMBER_TYPES and f in bound]
    shown: dict[str, str] = {}
    for col in numeric:
        values = _filled(sample.values[col])
        comma = sum(1 for v in values if re.match(COMMA_ONLY, v))
        point = sum(1 for v in values if re.match(POINT_ONLY, v))
        if comma and not point:
            shown[col] = ","
        elif point and not comma:
            shown[col] = "."
    kinds = set(shown.values())
    if len(kinds) == 1:
        sep = kinds.pop()
        return sep, [f"decimal '{sep}' shown by the values of " + ", ".join(shown)]
    if len(kinds) > 1:
        return None, ["the number columns differ in their decimal separator ("
                      + ", ".join(f"{c}: '{s}'" for c, s in shown.items())
                      + "): left to each column's values (decimal: auto)"]
    return None, []


def _categories(kind: str, counts: Counter) -> tuple[list[str], list[str]]:
    """The ``categories:`` lines: every value with its count and proposed id."""
    merged: Counter = Counter()
    for value, n in counts.items():
        if value is not None and value.strip():
            merged[value.strip()] += n
    known = _known_spellings(kind)
    lines = ["    categories:"]
    unresolved = []
    for value, n in merged.most_common():
        target = known.get(value.casefold())
        if target is None:
            unresolved.append(value)
        lines.append(f"      {_q(value)}: {_q(target or '?')}  # {n:,} row(s)"
                     + ("" if target else "; choose an id"))
    if not merged:
        lines[0] = "    categories: {}  # the column is empty"
    return lines, unresolved


def _known_spellings(kind: str) -> dict[str, str]:
    """Spellings that name a category id: the id, its labels, and the source values the
    built-in profiles map (casefolded)."""
    known: dict[str, str] = {}
    for profile in builtin_profiles().values():
        kp = profile.kinds.get(kind)
        if kp:
            for value, target in kp.categories.items():
                known.setdefault(str(value).casefold(), target)
    for entry in taxonomy()[kind]:
        for spelling in (entry["id"], entry.get("nl"), entry.get("en")):
            if spelling:
                known[str(spelling).casefold()] = entry["id"]
    return {k: v for k, v in known.items() if v == SKIP or v in canonical_values(kind)}


def _area_rule(bound: dict[str, str], columns: list[str], used: set[str],
               sample: Sample) -> tuple[list[str], list[str]]:
    """The ``area:`` lines of a fact kind: a code column and/or coordinates."""
    code = bound.pop("area_code", None)
    rule = {}
    if code:
        rule["code"] = code
    lon = bound.get("longitude") or _match("longitude", "number", columns, used, sample)
    lat = bound.get("latitude") or _match("latitude", "number", columns, used, sample)
    if lon and lat:
        rule["longitude"], rule["latitude"] = lon, lat
        used.update((lon, lat))
    if not rule:
        return ["    area: {code: area_code}  # no area column found: name it"], [
            "no area code or coordinate columns found: complete the area rule"]
    return ["    area: {" + ", ".join(f"{k}: {_q(v)}" for k, v in rule.items()) + "}"], []


def _area_file_lines(bound: dict[str, str], columns: list[str], used: set[str],
                     sample: Sample) -> tuple[list[str], list[str]]:
    """The parents and level lines of an areas file, and notes."""
    lines, notes = [], []
    by_key = {_key(c): c for c in columns if c not in used}
    parents = [by_key[k] for k in map(_key, PARENT_ALIASES) if k in by_key]
    if parents:
        lines.append("    parents: [" + ", ".join(_q(p) for p in parents) + "]")
        used.update(parents)
    if "level" in bound:
        return lines, notes
    codes = _filled(sample.values.get(bound.get("code", ""), []))
    matched: dict[str, Counter] = {}
    unmatched = []
    patterns = [(p, re.compile(p), lvl) for p, lvl in _level_patterns().items()]
    for code in codes:
        hit = next(((p, lvl) for p, rx, lvl in patterns if rx.search(code.upper())), None)
        if hit is None:
            unmatched.append(code)
        else:
            matched.setdefault(hit[1], Counter())[hit[0]] += 1
    if len(matched) == 1 and not unmatched:
        lines.append(f"    level: {next(iter(matched))}  # every code looks like one of "
                     "this level")
    elif codes and len(unmatched) <= len(codes) / 2:
        lines.append("    level_by_code:")
        for level, patterns in matched.items():
            for pattern, n in patterns.most_common():
                lines.append(f"      {_q(pattern)}: {level}  # {n:,} sampled code(s)")
        if unmatched:
            notes.append(f"{len(unmatched):,} sampled code(s) match no level pattern (e.g. "
                         + ", ".join(unmatched[:3]) + "): those rows would be quarantined as "
                         "unknown_level; add a pattern, or give --level when every row is of "
                         "one level")
    else:
        lines.append("    # level: give the level of every row here, or --level when loading")
        notes.append("the codes show no level: give level: (or --level when loading)")
    return lines, notes


def _level_patterns() -> dict[str, str]:
    """Code patterns of the levels: the built-in ones (Belgian codes, GSS ward and district
    codes)."""
    patterns = dict(builtin_profiles()["canonical"].kinds["areas"].level_by_code)
    patterns[r"^E05\d{6}$"] = "ward"
    patterns[r"^E0[67]\d{6}$"] = "district"
    return patterns


def _common_prefix(names: list[str]) -> str:
    if len(names) < 2:
        return ""
    first, last = min(names), max(names)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    prefix = first[:n]
    return prefix if prefix and all(c.startswith(prefix) for c in names) else ""


__all__ = ["ALIASES", "Draft", "Sample", "draft_profile", "read_sample"]
