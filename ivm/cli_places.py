"""The ``ivm`` commands about places: ``project evaluate`` (a project's displacement check),
``alerts`` (the early warning per wijk), ``peers`` (a city against its peers) and ``index``
(the safety index per wijk).

Like every command, each imports the layers it uses when it runs (see :mod:`ivm.cli`)."""

from __future__ import annotations

import json

import click

from core.errors import IvmError
from core.warehouse import Warehouse
from ivm.options import (
    IvmGroup,
    catalog_of,
    catalog_option,
    db_option,
    emit,
    format_option,
    lang_option,
    rounded_number,
    say,
)


@click.group(cls=IvmGroup)
def project() -> None:
    """Project areas: did the drop move next door?"""


@project.command("evaluate")
@click.argument("ident")
@format_option
@lang_option
@catalog_option
@db_option
def project_evaluate(ident: str, fmt: str, lang: str, catalog, db: str | None) -> None:
    """The displacement check of an objective on a project area (IDENT: the objective id, or
    the project area's id for every objective on it): the project area, the streets around it
    and the control, before and after, with the weighted displacement difference and its test."""
    from indicators import StatusFilter, status_records

    cat = catalog_of(catalog)
    con = Warehouse(db).connect_read_only()
    try:
        records = status_records(con, StatusFilter(), None, cat)
    finally:
        con.close()
    chosen = [r for r in records if ident in (r["id"], r["area"]["id"])]
    if not chosen:
        raise IvmError("unknown_objective",
                       f"no objective or area '{ident}' in the plan in force",
                       hint="`ivm status` lists them")
    checked = [r for r in chosen if r["displacement"]]
    if not checked:
        raise IvmError("no_displacement_check",
                       f"'{ident}' has no displacement check: it needs a count indicator on a "
                       "project area made of sectors, a baseline and a complete year after it",
                       hint="docs/methods.md, section 'Verschuiving'")
    if fmt == "json":
        click.echo(json.dumps([{"id": r["id"], "area": r["area"], "indicator": r["indicator"],
                                "displacement": r["displacement"]} for r in checked],
                              indent=2, ensure_ascii=False, default=str))
        return
    for r in checked:
        d = r["displacement"]
        if fmt == "table":
            click.echo(f"{r['id']} {r['area']['name'] or r['area']['id']}: "
                       f"{d['words'][lang]}")
        emit(_rows(r["id"], d), fmt, ["objective", "place", "areas", "before", "after",
                                      "expected", "difference", "low", "high", "p_value"])
        if fmt == "table":
            click.echo(f"WDQ {rounded_number(d['wdq'], 2)}  (before {d['before']}, after "
                       f"{d['after']}, dispersion {rounded_number(d['phi'], 2)})")


def _rows(objective: str, d: dict) -> list[dict]:
    ratio = d["control"]["after"] / d["control"]["before"]
    rows = []
    for place, areas, est in (("project", None, d["local"]),
                              ("buffer", d["buffer_areas"], d["displaced"]),
                              ("control", d["control_areas"], None),
                              ("total", None, d["total"])):
        counts = {"project": d["treated"], "buffer": d["buffer"], "control": d["control"]}.get(
            place, {"before": d["treated"]["before"] + d["buffer"]["before"],
                    "after": d["treated"]["after"] + d["buffer"]["after"]})
        rows.append({
            "objective": objective, "place": place, "areas": areas,
            "before": rounded_number(counts["before"], 0),
            "after": rounded_number(counts["after"], 0),
            "expected": None if est is None else rounded_number(counts["before"] * ratio, 1),
            "difference": None if est is None else rounded_number(est["value"], 1),
            "low": None if est is None else rounded_number(est["low"], 1),
            "high": None if est is None else rounded_number(est["high"], 1),
            "p_value": None if est is None else rounded_number(est["p_value"], 3)})
    return rows


@click.command()
@click.option("--area", default=None, help="Only this area id.")
@click.option("--municipality", default=None, help="Only the areas of this municipality (id).")
@click.option("--notify", is_flag=True,
              help="E-mail the owners of the objectives each new running alert concerns, once "
                   "per alert (IVM_ALERT_NOTICES=1; else say whom it would write to).")
@format_option
@lang_option
@db_option
def alerts(area: str | None, municipality: str | None, notify: bool, fmt: str, lang: str,
           db: str | None) -> None:
    """The early warning: areas (wijken) where a category of incidents or nuisance reports
    rises beyond its seasonal pattern in the last four weeks, running alerts first (see
    docs/methods.md, section 8)."""
    from access.steering.alert_notes import alert_key
    from access.steering.store import Steering
    from indicators import (
        alert_objectives,
        alert_words,
        category_names,
        current_alerts,
        current_plan,
        stored_catalog,
    )

    wh = Warehouse(db)
    con = wh.connect_read_only()
    try:
        found = current_alerts(con, [area] if area else None)
        _, objectives = current_plan(con)
        catalog = stored_catalog(con)
    finally:
        con.close()
    if municipality:
        found = [a for a in found if a["municipality"] == municipality]
    names = {k: category_names(k) for k in ("incidents", "nuisance")}
    notes = Steering.of_warehouse(wh.path).alerts
    closed = notes.notes()
    rows, owned = [], []
    for a in found:
        concerned = alert_objectives([o.model_dump() for o in objectives], catalog, a["kind"],
                                     a["category"])
        label = names[a["kind"]].get(a["category"], {}).get(lang, a["category"])
        by_owner: dict[str, list[str]] = {}
        for o in concerned:
            if o.get("owner"):
                by_owner.setdefault(o["owner"], []).append(o["id"])
        owned.append((a, by_owner))
        note = closed.get(alert_key(a))
        rows.append({**a, "category_name": label,
                     "objectives": [o["id"] for o in concerned],
                     "owners": sorted(by_owner), "words": alert_words(a, lang),
                     "note": note.note if note else None,
                     "closed_by": note.author if note else None,
                     "closed_at": note.closed_at if note else None})
    if notify:
        dutch = {(k, c): n.get("nl", c) for k in names for c, n in names[k].items()}
        outcome = notes.notify(owned, dutch)
        for n in outcome.sent:
            say(f"sent: {alert_key(n.alert)} to {n.partner_id} <{n.address}>")
        for n, why in outcome.failed:
            say(f"failed: {alert_key(n.alert)} to {n.partner_id}: {why}")
        for n in outcome.would_send:
            say(f"would send (IVM_ALERT_NOTICES is off): {alert_key(n.alert)} to "
                f"{n.partner_id} <{n.address}>")
        for n in outcome.no_address:
            say(f"no contact address for {n.partner_id}: {alert_key(n.alert)} not sent")
        if outcome.failed:
            raise SystemExit(1)
        return
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
        return
    emit([{**r, "area": f"{r['area_id']} {r['area_name'] or ''}".strip(),
           "running": "ja" if r["running"] and lang == "nl" else
           ("yes" if r["running"] else ("nee" if lang == "nl" else "no")),
           "count": rounded_number(r["count"], 0), "expected": rounded_number(r["expected"], 1),
           "upper": rounded_number(r["upper"], 0), "p_value": rounded_number(r["p_value"], 5),
           "objectives": " ".join(r["objectives"]), "owners": " ".join(r["owners"]),
           "note": r["note"]}
          for r in rows], fmt,
         ["area", "category_name", "running", "opened_week", "latest_week", "count",
          "expected", "upper", "p_value", "objectives", "owners", "words", "note"])


@click.command()
@click.argument("indicator_id")
@click.option("--year", default=None, help="Calendar year (default: the latest complete one).")
@click.option("--peers", default=None,
              help="centrumsteden, all, or NIS codes separated by commas (default: $IVM_PEERS).")
@format_option
@lang_option
@db_option
def peers(indicator_id: str, year: str | None, peers: str | None, fmt: str, lang: str,
          db: str | None) -> None:
    """A count or rate per municipality against its peers (a funnel plot's numbers): the
    group's rate, the overdispersion allowed for, and per municipality its rate, z-score and
    band (inside, rather high/low: beyond 95 %, high/low: beyond 99.8 %)."""
    from indicators import complete_years, peer_funnel, stored_catalog

    con = Warehouse(db).connect_read_only()
    try:
        ind = stored_catalog(con).get(indicator_id)
        if ind is None:
            raise IvmError("unknown_indicator", f"no indicator '{indicator_id}' in the results",
                           hint="`ivm indicators list`")
        years = complete_years(con, [indicator_id]).get(indicator_id, [])
        chosen = year or (str(max(years)) if years else None)
        found = peer_funnel(con, ind, chosen, peers) if chosen else None
    finally:
        con.close()
    if found is None:
        raise IvmError("no_funnel", f"no funnel for '{indicator_id}' in {chosen or '-'}: it "
                       "needs a count or rate per calendar year and at least three peer "
                       "municipalities with inhabitants", hint="docs/methods.md, section 9")
    f = found.funnel
    rows = sorted(found.rows(), key=lambda r: -r["z"])
    if fmt == "json":
        click.echo(json.dumps({"indicator": indicator_id, "year": chosen, "group": found.group,
                               "rate": f.theta * found.factor, "phi": f.phi, "tau2": f.tau2,
                               "per": found.factor, "municipalities": rows},
                              indent=2, ensure_ascii=False, default=str))
        return
    if fmt == "table":
        click.echo(f"{indicator_id} {chosen}, {found.group}: group rate "
                   f"{f.theta * found.factor:.1f} per {found.factor:,.0f}; overdispersion "
                   f"{f.phi:.1f} (tau {(f.tau2 ** 0.5) * found.factor:.1f} per "
                   f"{found.factor:,.0f})")
    emit([{**r, "rate": rounded_number(r["rate"], 2), "z": rounded_number(r["z"], 2),
           "population": rounded_number(r["population"], 0)} for r in rows], fmt,
         ["area_id", "name", "observed", "population", "rate", "z", "band"])


@click.command("index")
@click.option("--year", type=int, default=None,
              help="Calendar year (default: the latest complete one of the first part).")
@click.option("--city", default=None, help="Municipality id (default: the plan's).")
@format_option
@lang_option
@db_option
def safety_index(year: int | None, city: str | None, fmt: str, lang: str,
                 db: str | None) -> None:
    """The safety index per wijk: crime, nuisance and feeling unsafe, each against the city
    (city = 100), and their weighted mean with its 95 % interval (docs/methods.md, section
    10; parts and weights in indicators/safety_index.yaml)."""
    from indicators import (
        complete_years,
        current_plan,
        index_parts,
        stored_catalog,
        wijk_safety_index,
    )

    con = Warehouse(db).connect_read_only()
    try:
        parts = index_parts()
        if city is None:
            _, objectives = current_plan(con)
            homes = [a[:5] for o in objectives for a in o.areas]
            city = max(set(homes), key=homes.count, default=None)
        if city is None:
            raise IvmError("no_city", "no municipality given and no plan in force to take it "
                           "from", hint="--city NIS")
        first = parts[0].indicator
        years = complete_years(con, [first]).get(first, [])
        chosen = year or (max(years) if years else None)
        if chosen is None:
            raise IvmError("no_index", f"no complete year of {first}: no index")
        rows, used = wijk_safety_index(con, stored_catalog(con), chosen, city)
    finally:
        con.close()
    if not rows:
        raise IvmError("no_index", f"no wijk of '{city}' has values in {chosen}")
    out = []
    for w in rows:
        rec: dict = {"area_id": w.area_id, "name": w.name}
        for p in parts:
            v = w.parts.get(p.key)
            rec[p.key] = None if v is None else rounded_number(v[0], 1)
        rec.update(index=rounded_number(w.index, 1), low=rounded_number(w.low, 1),
                   high=rounded_number(w.high, 1))
        out.append(rec)
    if fmt == "json":
        click.echo(json.dumps({"city": city, "year": chosen, "periods": used, "wijken": out},
                              indent=2, ensure_ascii=False, default=str))
        return
    if fmt == "table":
        click.echo(f"{city} {chosen} (city = 100; "
                   + ", ".join(f"{p.title[lang]} {used.get(p.key, '-')}" for p in parts) + ")")
    emit(out, fmt, ["area_id", "name", *[p.key for p in parts], "index", "low", "high"])


@click.command()
@click.option("--indicator", "indicator_id", default=None,
              help="An event indicator: compare each edition of its event in --area.")
@click.option("--area", default=None,
              help="With --indicator: the area (default: where the event takes place, else the "
                   "municipality).")
@format_option
@lang_option
@catalog_option
@db_option
def events(indicator_id: str | None, area: str | None, fmt: str, lang: str, catalog,
           db: str | None) -> None:
    """The loaded events and their editions (`ivm load events FILE`); with --indicator, each
    edition of that event indicator against the ordinary days of the same weeks and against
    the editions before it (see docs/methods.md, section 'Evenementen')."""
    from indicators import event_comparison, event_editions, event_words_of

    cat = catalog_of(catalog)
    con = Warehouse(db).connect_read_only()
    try:
        if indicator_id is None:
            rows = [{"event": e.event_id, "name": e.name(lang), "edition": e.edition,
                     "first_day": e.first_day, "last_day": e.last_day, "area": e.area_id,
                     "cancelled": e.cancelled, "note": e.note} for e in event_editions(con)]
            emit(rows, fmt, ["event", "name", "edition", "first_day", "last_day", "area",
                             "cancelled", "note"])
            return
        ind = cat.indicators.get(indicator_id)
        if ind is None or ind.event is None:
            raise IvmError("unknown_indicator",
                           f"'{indicator_id}' is not an event indicator of the catalogue",
                           hint="an event indicator names its event (`event:` in its file)")
        eds = event_editions(con, ind.event)
        if not eds:
            raise IvmError("unknown_event", f"no editions of event '{ind.event}' are loaded",
                           hint="load them with `ivm load events FILE`")
        where = area or eds[-1].area_id or _only_top_area(con)
        if not con.execute("SELECT 1 FROM area WHERE area_id = ?", [where]).fetchall():
            raise IvmError("unknown_area", f"unknown area '{where}'")
        found = event_comparison(con, ind, where)
    finally:
        con.close()
    if fmt == "table":
        say(event_words_of(found, lang))
    rows = []
    for c in found:
        d = c.as_dict()
        rows.append({
            "edition": d["edition"], "first_day": d["first_day"], "days": d["days"],
            "state": "cancelled" if d["cancelled"] else ("complete" if d["complete"]
                                                         else "incomplete"),
            "count": d["count"], "per_day": rounded_number(d["per_day"], 3),
            "ordinary_per_day": rounded_number(d["ordinary_per_day"], 3),
            "ratio": rounded_number((d["ordinary"] or {}).get("ratio"), 3),
            "p_value": rounded_number((d["ordinary"] or {}).get("p_value"), 4),
            "earlier_ratio": rounded_number((d["earlier"] or {}).get("ratio"), 3),
            "earlier_p": rounded_number((d["earlier"] or {}).get("p_value"), 4),
        } if fmt != "json" else {"area": where, **d})
    emit(rows, fmt, ["edition", "first_day", "days", "state", "count", "per_day",
                     "ordinary_per_day", "ratio", "p_value", "earlier_ratio", "earlier_p"])


def _only_top_area(con) -> str:
    """The one area of the loaded hierarchy's top level, or an error asking for --area."""
    from indicators import top_level

    tops = [a for (a,) in con.execute("SELECT area_id FROM area WHERE level = ? ORDER BY 1",
                                      [top_level(con)]).fetchall()]
    if len(tops) != 1:
        raise IvmError("area_needed", f"{len(tops)} top-level areas are loaded: say which one",
                       hint="--area ID")
    return tops[0]
