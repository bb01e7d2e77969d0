"""The ``ivm`` command line. Exit codes: 0 success, 1 data or user error (one line on stderr,
no traceback), 2 wrong usage.

This module holds the group and the commands about data in, serving and access; the commands
about results are :mod:`ivm.cli_results`, the options and output they share :mod:`ivm.options`.

Each command imports the layers it uses when it runs: ``ivm init`` or ``ivm loads`` start in a
fraction of a second instead of loading the statistics and the dashboard first. (There is no
import loop to avoid: this package sits above every layer.)"""

from __future__ import annotations

import getpass
import logging
import os
import sys

import click

from core.errors import IvmError
from core.logs import configure, log_format
from core.settings import SETTINGS, flag, setting
from core.vocabulary import SOURCE_KINDS
from core.warehouse import Warehouse
from ivm.cli_places import alerts, events, peers, project, safety_index
from ivm.cli_profiles import profile
from ivm.cli_results import export, indicators, plan, status
from ivm.cli_steering import partners, plan_diff, remind, updates
from ivm.options import (
    IvmGroup,
    PeriodBound,
    as_of_option,
    day_of,
    db_option,
    emit,
    format_option,
    json_text,
    say,
)

#: What ``ivm load`` takes: the vocabulary's source kinds.
KINDS = list(SOURCE_KINDS)


@click.group(cls=IvmGroup)
@click.version_option(package_name="ivmonitor")
def main() -> None:
    """ivmonitor: monitor a city's local integral safety plan."""
    # the log of loads and publishes: JSON lines on stderr with IVM_LOG_FORMAT=json; in text,
    # errors only (the commands' own lines say the rest)
    configure("stderr", logging.INFO if log_format() == "json" else logging.ERROR)


for command in (status, indicators, plan, export, partners, updates, remind, project, alerts,
                peers, safety_index, events, profile):
    main.add_command(command)
plan.add_command(plan_diff)


@main.command()
@db_option
def init(db: str | None) -> None:
    """Create an empty warehouse (or migrate an existing one)."""
    wh = Warehouse(db)
    created = wh.init()
    say(f"{'created' if created else 'exists, up to date'}: {wh.path}")


@main.command()
@db_option
def migrate(db: str | None) -> None:
    """Upgrade a warehouse and its application store (SQLite or PostgreSQL, IVM_APP_DB) made by
    an older version to the current schemas; a new application store gets its tables."""
    from sqlalchemy.exc import OperationalError

    from access.app_db import engine_for, shown, unreachable
    from access.app_schema import APP_SCHEMA_VERSION, upgrade
    from access.store import AccessStore
    from core.warehouse.migrate import SCHEMA_VERSION

    wh = Warehouse(db)
    wh.init()
    say(f"{wh.path}: schema version {SCHEMA_VERSION}")
    store = AccessStore.of_warehouse(wh.path)
    try:
        applied = upgrade(engine_for(store.url))
    except OperationalError as exc:
        raise unreachable(store.url, exc) from None
    done = f" (applied {', '.join(map(str, applied))})" if applied else ""
    say(f"{shown(store.url)}: application store schema version {APP_SCHEMA_VERSION}{done}")


@main.command()
@db_option
def publish(db: str | None) -> None:
    """Publish the warehouse as it is into the publish folder (IVM_PUBLISH_DIR) for the app
    servers: the first time, or after a publish that could not reach it (loads publish there
    themselves)."""
    wh = Warehouse(db)
    version = wh.publish()
    if version is None:
        say(f"already published: {wh.path}")
        return
    say(f"published: data version {version.label} as {version.file} "
        f"(sha256 {version.sha256})")


@main.command()
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="A new folder for the backup (readable by its owner only).")
@db_option
def backup(out: str, db: str | None) -> None:
    """Back up the warehouse and its application store (accounts, audit log, the steering
    cycle's records; SQLite or PostgreSQL) together into a new folder."""
    from pathlib import Path

    from ivm.backup import backup as make_backup

    make_backup(Warehouse(db), Path(out), say)


@main.command()
@click.argument("folder", type=click.Path(file_okay=False))
@db_option
def restore(folder: str, db: str | None) -> None:
    """Restore a backup folder into an empty installation: no warehouse at --db, an empty
    application store (IVM_APP_DB, on either database)."""
    from pathlib import Path

    from ivm.backup import restore_into

    restore_into(Warehouse(db), Path(folder), say)


@main.command()
@click.option("--municipality", required=True, metavar="NAME_OR_NIS",
              help="A municipality of Flanders or Brussels: its name (Gent) or NIS code "
                   "(44021).")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Folder for the municipality's area files [default: data/setup-NIS].")
@db_option
def setup(municipality: str, out: str | None, db: str | None) -> None:
    """Set up a warehouse for any Flemish municipality from the Flanders-wide open layers
    (boundary, deelgemeenten, wijken, statistical sectors, Statbel population), read in place
    from IVM_OPEN_DATA."""
    from pathlib import Path

    from etl.municipality import find_municipality
    from ivm.setup import run_setup

    folder = Path(out) if out else Path("data") / f"setup-{find_municipality(municipality).nis}"
    run_setup(Warehouse(db), municipality, folder, say)


@main.command()
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--profile", default="canonical", show_default=True,
              help="Source profile: a built-in name (see `ivm profiles`) or a YAML file.")
@click.option("--strict", is_flag=True, help="Reject the file if any row fails validation.")
@click.option("--category", default=None, help="Category of every row (one-type extracts).")
@click.option("--level", default=None, help="Area level of every row (areas).")
@click.option("--period-start", "period_start", type=PeriodBound(end=False), default=None,
              help="First day the delivery covers, YYYY-MM-DD or YYYY-MM (default: from its "
              "first row).")
@click.option("--period-end", "period_end", type=PeriodBound(end=True), default=None,
              help="Last day the delivery covers, its cut-off: YYYY-MM-DD, or YYYY-MM for the "
              "month's last day (default: its last row).")
@click.option("--delivery", "delivery_name", default=None,
              help="Name of the delivery (default: the file's name, without .gz); rows without "
              "an id are told apart by it, and a file of the same name replaces them.")
@click.option("--reapply", is_flag=True,
              help="Apply a file loaded before again (e.g. to undo a later correction).")
@click.option("--activate", is_flag=True,
              help="plan: put the loaded plan version in force (else `ivm plan activate`).")
@db_option
def load(kind: str, paths: tuple[str, ...], profile: str, strict: bool, category: str | None,
         level: str | None, period_start, period_end, delivery_name: str | None,
         reapply: bool, activate: bool, db: str | None) -> None:
    """Load source files of KIND; each file is one all-or-nothing load (``partners``: the
    partner register, kept with the accounts)."""
    from ivm.wiring import activate_plan, load_any, load_partners, plan_version_of

    if activate and kind != "plan":
        raise click.UsageError("--activate is for `ivm load plan`")

    if kind == "partners":
        for path in paths:
            click.echo(load_partners(Warehouse(db), path))
        return
    overrides: dict[str, str] = {}
    if category:
        overrides["type" if kind == "nuisance" else "category"] = category
    if level:
        overrides["level"] = level
    wh = Warehouse(db)
    for path in paths:
        result = load_any(wh, kind, path, profile, strict, overrides,
                          period_start=period_start, period_end=period_end,
                          reapply=reapply, delivery_name=delivery_name)
        say(result.summary())
        if activate:
            version = plan_version_of(path)
            say(f"plan {version} in force; {activate_plan(wh, version)}")


@main.command()
@click.option("--scale", type=click.Choice(["city", "national"]), default="city",
              show_default=True,
              help="city: Aalst over ten years; national: Flanders and Brussels, 10M+ incidents.")
@click.option("--seed", type=int, default=2011, show_default=True, help="Random seed.")
@click.option("--out", type=click.Path(file_okay=False), default="data/demo", show_default=True,
              help="Folder for the generated source files.")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Pretend today is this date (default: today); data runs to the month before.")
@click.option("--synthetic", is_flag=True, help="Use the built-in synthetic city, not open data.")
@click.option("--municipality", default=None, metavar="NAME_OR_NIS",
              help="Demo facts for this municipality of Flanders or Brussels (e.g. Gent or "
                   "44021) instead of Aalst, on its real areas (needs the open data).")
@click.option("--cities", default=None, metavar="NAME,NAME,...",
              help="Several municipalities in one installation, each a tenant with its own "
                   "demo plan, warehouse and accounts: writes OUT/tenants.yaml and "
                   "OUT/<id>/ivmonitor.duckdb (e.g. Aalst,Mechelen,Herstappe; --out "
                   "data/cities).")
@click.option("--force", is_flag=True, help="Regenerate and reload even when unchanged.")
@db_option
def demo(scale: str, seed: int, out: str, as_of, synthetic: bool, municipality: str | None,
         cities: str | None, force: bool, db: str | None) -> None:
    """Generate the demo city's source files and load them like real data (strict)."""
    import datetime as dt
    from pathlib import Path

    from ivm.demo import demo_users, run_demo

    day = as_of.date() if as_of else dt.date.today()
    if cities is not None:
        from ivm.demo_cities import run_cities

        if municipality or synthetic or scale != "city" or db:
            raise IvmError("bad_option", "--cities makes city-scale demos on real areas, "
                           "each in its tenant's folder under --out",
                           hint="leave out --municipality, --synthetic, --scale and --db")
        run_cities(Path(out), [c.strip() for c in cities.split(",") if c.strip()], seed, day,
                   force, say)
        return
    wh = Warehouse(db)
    if municipality and (synthetic or scale != "city"):
        raise IvmError("bad_option", "--municipality makes a city-scale demo on real areas",
                       hint="leave out --synthetic and --scale national")
    run_demo(wh, Path(out), seed, day, synthetic, force, say, scale, municipality)
    demo_users(wh, say)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="gunicorn worker processes.")
@click.option("--dev", is_flag=True, help="Flask's development server instead of gunicorn.")
@click.option("--public", is_flag=True,
              help="Serve the public audience only, without sign-in: suppressed figures, no "
                   "incident-level data.")
@db_option
def serve(host: str, port: int, workers: int, dev: bool, public: bool, db: str | None) -> None:
    """Serve the dashboard under gunicorn (debug off); it follows new loads without restart.
    Users sign in (`ivm user add`); with --public everyone is the public audience."""
    from core.tenants import configured_tenants

    wh = Warehouse(db)
    tenants = configured_tenants()
    mode = "public audience, no sign-in" if public else "sign-in required"
    if tenants is not None:
        say(f"tenants of {tenants.file}: " + ", ".join(
            f"{t.id} at http://{t.hosts[0]}:{port}" for t in tenants))
    folder = setting("publish_dir").strip()
    if folder:
        mode += f", serving the versions published in {folder}"
    if dev:
        from core.logs import configure
        from dashboard.app import create_app, served_warehouse

        say(f"ivmonitor: http://{host}:{port} (development server, {mode})")
        configure("stdout")
        create_app(served_warehouse(db), public=public, tenants=tenants).run(
            host=host, port=port, debug=False)
        return
    env = {**os.environ, SETTINGS["db"].env: str(wh.path.resolve()),
           SETTINGS["public_server"].env: "1" if public else "0"}
    if log_format() == "json":  # standard output carries the log's JSON lines only
        from core.logs import event

        event("serve", url=f"http://{host}:{port}", workers=workers, mode=mode)
    else:
        say(f"ivmonitor: http://{host}:{port} ({workers} gunicorn workers, {mode})")
    sys.stdout.flush()
    proxies = setting("trusted_proxies").strip()
    forwarded = ["--forwarded-allow-ips", proxies] if proxies else []
    # every request is logged by the app itself (dashboard.request_log), without addresses
    args = [sys.executable, "-m", "gunicorn", *forwarded, "--bind", f"{host}:{port}", "--workers",
            str(workers), "--threads", "4", "--worker-class", "gthread", "--timeout", "120",
            "--log-level", "warning", "dashboard.wsgi:server"]
    os.execve(sys.executable, args, env)


@main.command()
@db_option
@format_option
def loads(db: str | None, fmt: str) -> None:
    """List every load attempt."""
    from etl.inspect import load_log_rows

    rows = load_log_rows(Warehouse(db))
    emit(rows, fmt, ["load_id", "kind", "profile", "outcome", "rows_read", "rows_loaded",
                      "rows_replaced", "rows_skipped", "rows_quarantined", "cutoff_date", "file"])


@main.command()
@click.argument("load_id", type=int)
@db_option
@format_option
def quarantine(load_id: int, db: str | None, fmt: str) -> None:
    """Show the rows kept back from a load, with their reasons."""
    from etl.inspect import quarantine_rows

    rows = quarantine_rows(Warehouse(db), load_id)
    emit(rows, fmt, ["row_number", "reason_codes", "reasons", "raw"])


@main.command()
@db_option
@format_option
def info(db: str | None, fmt: str) -> None:
    """The warehouse's schema version and the row count of every table."""
    from etl.inspect import warehouse_info

    data = warehouse_info(Warehouse(db))
    if fmt == "json":
        click.echo(json_text(data))
        return
    say(f"warehouse: {data['path']}\nschema version: {data['schema_version']}")
    emit([{"table": t, "rows": n} for t, n in data["tables"].items()], fmt, ["table", "rows"])


@main.command()
@format_option
def profiles(fmt: str) -> None:
    """List the built-in source profiles and the kinds each covers."""
    from etl.profile import builtin_profiles

    rows = [
        {"name": p.name, "kinds": ", ".join(p.kinds), "description": p.description}
        for p in builtin_profiles().values()
    ]
    emit(rows, fmt, ["name", "kinds", "description"])


@main.command()
@format_option
def settings(fmt: str) -> None:
    """Every setting (an environment variable) with the value in effect and its default."""
    rows = [{"variable": s.env, "value": ("(set)" if s.value() else "") if s.secret
             else s.value(), "default": s.default, "group": s.group, "help": s.help}
            for s in SETTINGS.values()]
    emit(rows, fmt, ["variable", "value", "default", "group", "help"])


@main.command()
@as_of_option
@db_option
def refresh(as_of, db: str | None) -> None:
    """Recompute the stored indicator values, objective progress and CompStat windows."""
    from ivm.wiring import refresh_all

    say(refresh_all(Warehouse(db), day_of(as_of)))


@main.group(cls=IvmGroup)
def user() -> None:
    """Dashboard accounts: add, list, disable, new password, sign out everywhere (roles: see
    `ivm user roles`)."""


def _store(db: str | None):
    from access.store import AccessStore

    return AccessStore.of_warehouse(Warehouse(db).path)


def _new_password(generate: bool) -> tuple[str, bool]:
    """A password typed twice at a hidden prompt (or from stdin when piped), or generated."""
    from access.passwords import generate as make

    if generate:
        return make(), True
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    if len(password) < 12:
        raise IvmError("weak_password", "a password needs at least 12 characters",
                       hint="or use --generate")
    return password, False


@user.command("add")
@click.argument("name")
@click.option("--role", required=True,
              type=click.Choice(["beheerder", "analist", "bestuur", "politie", "dienst"]),
              help="What the user may see (see `ivm user roles`).")
@click.option("--partner", default=None,
              help="Role dienst: the partner (an id of the partner register) whose objectives "
              "the user follows.")
@click.option("--generate", is_flag=True, help="Generate a password and print it once.")
@db_option
def user_add(name: str, role: str, partner: str | None, generate: bool, db: str | None) -> None:
    """Create an account NAME; the password is asked for (or read from stdin, or generated)."""
    password, made = _new_password(generate)
    _store(db).add_user(name, role, password, partner)
    say(f"user {name} ({role}{', ' + partner if partner else ''}) added"
               + (f"; password: {password}" if made else ""))


@user.command("list")
@db_option
@format_option
def user_list(db: str | None, fmt: str) -> None:
    """Every account with its role, partner, state and last login (never a password)."""
    from dataclasses import asdict

    rows = [asdict(u) for u in _store(db).users()]
    emit(rows, fmt, ["name", "role", "partner", "enabled", "created_at", "last_login_at"])


@user.command("disable")
@click.argument("name")
@db_option
def user_disable(name: str, db: str | None) -> None:
    """Disable an account: its sessions end at once, its login is refused."""
    _store(db).set_enabled(name, False)
    say(f"user {name} disabled")


@user.command("enable")
@click.argument("name")
@db_option
def user_enable(name: str, db: str | None) -> None:
    """Enable a disabled account again."""
    _store(db).set_enabled(name, True)
    say(f"user {name} enabled")


@user.command("password")
@click.argument("name")
@click.option("--generate", is_flag=True, help="Generate a password and print it once.")
@db_option
def user_password(name: str, generate: bool, db: str | None) -> None:
    """Set a new password for NAME (the user's open sessions end)."""
    store = _store(db)
    if store.user(name) is None:
        raise IvmError("no_user", f"no user '{name}'", hint="`ivm user list`")
    password, made = _new_password(generate)
    store.set_password(name, password)
    say(f"new password for {name}" + (f": {password}" if made else " set"))


@user.command("signout")
@click.argument("name", required=False)
@click.option("--all", "everyone", is_flag=True, help="End every user's sessions.")
@db_option
def user_signout(name: str | None, everyone: bool, db: str | None) -> None:
    """Sign NAME out everywhere: every open dashboard session of NAME ends at once, on every
    server process (--all: everyone's)."""
    if bool(name) == everyone:
        raise click.UsageError("give a user NAME or --all")
    store = _store(db)
    if name and store.user(name) is None:
        raise IvmError("no_user", f"no user '{name}'", hint="`ivm user list`")
    ended = store.sessions.end_all(name, "signed_out_by_admin")
    who = name or "every user"
    store.audit("sessions_ended", getpass.getuser(), "cli", detail=f"{ended} session(s) of {who}")
    say(f"{ended} session(s) of {who} ended")


@user.command("sessions")
@db_option
@format_option
def user_sessions(db: str | None, fmt: str) -> None:
    """The open dashboard sessions: user, address, sign-in and last request (UTC)."""
    emit(_store(db).sessions.open(), fmt,
         ["user_name", "address", "started_at", "seen_at", "proxy"])


@user.command("roles")
@format_option
def user_roles(fmt: str) -> None:
    """The roles and what each may see: the pages that name the role (the dashboard's page
    registry) and the tables it may download."""
    from access.downloads import allowed
    from access.roles import ROLES
    from dashboard.registry import load_pages, role_pages

    load_pages()
    rows = [{"role": r.name, "label": r.label_nl, "pages": ", ".join(role_pages(r.name)),
             "downloads": ", ".join(sorted(allowed(r.name, r.audience))),
             "audience": r.audience, "incident_level": r.incident_level,
             "only_own_objectives": r.own_objectives_only} for r in ROLES.values()]
    emit(rows, fmt, ["role", "label", "pages", "audience", "incident_level",
                      "only_own_objectives", "downloads"])


@main.command()
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 100000))
@click.option("--event", default=None, help="Only this event (login_failed, export, load, ...).")
@db_option
@format_option
def audit(limit: int, event: str | None, db: str | None, fmt: str) -> None:
    """The audit log, newest first: logins, failed logins, exports, loads, account changes."""
    rows = _store(db).audit_rows(limit, event)
    emit(rows, fmt, ["at", "event", "user_name", "role", "address", "detail"])


if flag("debug"):
    IvmGroup.invoke = click.Group.invoke  # type: ignore[method-assign]
