"""Settings are data: every setting with its environment variable, default, group and help.

Every environment variable ivmonitor reads is declared here and read through :func:`setting`;
``docs/settings.md`` is rendered from this table (``python -m core.settings``), ``ivm settings``
prints the current values, and a test fails when the docs or the code drift from it.

To add a setting: one ``Setting(...)`` line below, read it with ``setting("name")``, run
``python -m core.settings`` to regenerate the docs.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

#: The groups settings are listed under, in the docs' order.
GROUPS = {
    "warehouse": "Warehouse and loading",
    "public": "Public audience",
    "access": "Access and sessions",
    "serving": "Serving",
    "branding": "The city's name, logo and contact",
    "steering": "The steering cycle: owners' updates, the reporting calendar, reminders",
    "development": "Development and tests",
}


@dataclass(frozen=True)
class Setting:
    """One setting: read from ``env`` when set, else ``default``."""

    name: str
    env: str
    default: str
    help: str
    group: str = "warehouse"
    #: A secret: ``ivm settings`` says whether it is set, never its value.
    secret: bool = False

    def value(self) -> str:
        """The current value: the environment variable when set, else the default."""
        return os.environ.get(self.env, self.default)


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting("db", "IVM_DB", "data/ivmonitor.duckdb",
                "Path of the warehouse file (every command's `--db` overrides it)."),
        Setting(
            "catalog",
            "IVM_CATALOG",
            "",
            "Folder of the indicator catalogue (an analyst's copy with a new indicator); "
            "default: the built-in `indicators/catalog`. `--catalog` overrides it.",
        ),
        Setting(
            "peer_group",
            "IVM_PEERS",
            "centrumsteden",
            "The municipalities a city is compared with on the funnel plot: `centrumsteden` (the "
            "13 Flemish centre cities, when at least three are loaded), `all` (every loaded "
            "municipality) or NIS codes separated by commas.",
        ),
        Setting(
            "open_data_dir",
            "IVM_OPEN_DATA",
            str(Path(__file__).resolve().parent.parent.parent / "shared" / "data"),
            "Folder holding the real open data sets (be-aalst-areas, uk-police-lancashire, ...), "
            "read in place.",
        ),
        Setting(
            "max_xlsx_uncompressed_mb",
            "IVM_MAX_XLSX_MB",
            "512",
            "Largest total uncompressed size of an XLSX file's parts; larger files are refused "
            "as possible zip bombs.",
        ),
        Setting(
            "load_memory_limit",
            "IVM_LOAD_MEMORY",
            "2GB",
            "Memory a load may use in DuckDB; beyond it, work spills to `<db>.tmp` on disk, so a "
            "file of any size loads in bounded memory.",
        ),
        Setting(
            "refresh_memory_limit",
            "IVM_REFRESH_MEMORY",
            "8GB",
            "Memory the refresh of the stored results may use in DuckDB (after every load and on "
            "`ivm refresh`); beyond it, work spills to `<db>.tmp` on disk. A national-scale "
            "warehouse (16 million facts, 37 million values) needs more than 2 GB: measured peak "
            "3.8 GB with this limit. Too low a value fails the refresh, and with it the load.",
        ),
        Setting(
            "max_field_chars",
            "IVM_MAX_FIELD_CHARS",
            "10000",
            "Longest text accepted in one field; longer values are quarantined.",
        ),
        Setting(
            "max_columns",
            "IVM_MAX_COLUMNS",
            "1000",
            "Most columns a source file may have (a survey's questions included); a file with "
            "more is refused before its rows are read, so its width cannot exhaust memory.",
        ),
        Setting(
            "max_line_mb",
            "IVM_MAX_LINE_MB",
            "16",
            "Longest line (one record) of a CSV file, in MiB; also the size of the blocks the "
            "file is parsed in. A file with a longer line is refused.",
        ),
        Setting(
            "max_nesting",
            "IVM_MAX_NESTING",
            "64",
            "Deepest nesting of arrays and objects in a GeoJSON file (a MultiPolygon feature "
            "needs 8); a file nested deeper is refused before it is parsed.",
        ),
        Setting(
            "max_json_mb",
            "IVM_MAX_JSON_MB",
            "512",
            "Largest GeoJSON file, in MiB (it is read whole into memory); larger ones are "
            "refused: deliver them as a shapefile or GeoPackage.",
        ),
        Setting(
            "max_gunzip_mb",
            "IVM_MAX_GUNZIP_MB",
            "4096",
            "Largest size a gzip-compressed file (`.csv.gz`, ...) may unpack to, in MiB; a file "
            "that unpacks further, or beyond 10 MiB at more than 200 times its packed size, is "
            "refused as a gzip bomb.",
        ),
        Setting(
            "earliest_date",
            "IVM_EARLIEST_DATE",
            "1990-01-01",
            "Earliest plausible date of a fact (incident, report, activity) and year of a "
            "survey wave; earlier ones are quarantined as implausible_date or invalid_wave.",
        ),
        Setting(
            "public_min_count",
            "IVM_PUBLIC_MIN_COUNT",
            "5",
            "Public audience: counts from 1 up to this number minus one are suppressed (with "
            "complementary suppression so they cannot be derived).",
            group="public",
        ),
        Setting(
            "public_min_neff",
            "IVM_PUBLIC_MIN_NEFF",
            "30",
            "Public audience: survey shares and means (and other shares, means and medians) "
            "resting on a smaller effective number of observations are suppressed.",
            group="public",
        ),
        Setting(
            "app_db",
            "IVM_APP_DB",
            "",
            "Where everything people write is kept (accounts, sessions, audit log, sign-in "
            "throttle, partner register, owners' updates, actions, status history): empty, "
            "the SQLite file `<name>.access.sqlite` next to the warehouse; a file path, that "
            "SQLite file; or `postgresql+psycopg://user:password@host:5432/name`, a "
            "PostgreSQL database that several app servers share (`ivm migrate` creates and "
            "upgrades its tables).",
            group="access",
            secret=True,
        ),
        Setting(
            "tenants",
            "IVM_TENANTS",
            "",
            "The tenants file of an installation that hosts several municipalities or police "
            "zones (`data/tenants.yaml`: each tenant's id, name, host names and warehouse): "
            "each is served at its own host names with its own warehouse and application "
            "store; empty: one city, the warehouse of `IVM_DB`.",
            group="serving",
        ),
        Setting(
            "secret_key",
            "IVM_SECRET_KEY",
            "",
            "Key that signs the mark a browser gets when it signs in (its attempts are then "
            "throttled apart from its address's); default: generated once and kept in the "
            "access store.",
            group="access",
            secret=True,
        ),
        Setting(
            "session_idle_minutes",
            "IVM_SESSION_IDLE_MINUTES",
            "30",
            "A dashboard session ends after this many minutes without a request.",
            group="access",
        ),
        Setting(
            "session_max_hours",
            "IVM_SESSION_MAX_HOURS",
            "12",
            "A dashboard session ends this many hours after the login, active or not.",
            group="access",
        ),
        Setting(
            "login_free_failures",
            "IVM_LOGIN_FREE_FAILURES",
            "5",
            "Failed sign-ins for one user name from one address (or one browser that signed "
            "in as that user before) within 15 minutes before each further attempt from there "
            "has to wait: 1 s, then 2, 4, 8 ... seconds. Other addresses and browsers are not "
            "slowed.",
            group="access",
        ),
        Setting(
            "login_max_delay_seconds",
            "IVM_LOGIN_MAX_DELAY_SECONDS",
            "300",
            "The longest wait between two sign-in attempts of one user name from one address "
            "(or browser) after repeated failures.",
            group="access",
        ),
        Setting(
            "trusted_proxies",
            "IVM_TRUSTED_PROXIES",
            "",
            "Addresses (comma-separated, CIDR allowed) of reverse proxies whose user header is "
            "trusted (single sign-on by the city's identity provider); empty: off.",
            group="access",
        ),
        Setting(
            "user_header",
            "IVM_USER_HEADER",
            "X-Remote-User",
            "The request header a trusted proxy sets to the logged-in user's name.",
            group="access",
        ),
        Setting(
            "public_server",
            "IVM_PUBLIC",
            "0",
            "1: the WSGI app (`dashboard.wsgi:server`) serves the public audience only, without "
            "sign-in; set by `ivm serve --public`.",
            group="serving",
        ),
        Setting(
            "publish_dir",
            "IVM_PUBLISH_DIR",
            "",
            "A folder shared with the app servers (local, NFS v4, CephFS): every load also "
            "publishes its new warehouse version there as `ivmonitor-<data version>.duckdb`, "
            "with `current.json` naming it and its SHA-256; an app server (`ivm serve`) with "
            "this setting serves the version `current.json` names instead of `IVM_DB`, and "
            "switches between requests. Empty: the warehouse file itself is served.",
            group="serving",
        ),
        Setting(
            "publish_keep",
            "IVM_PUBLISH_KEEP",
            "3",
            "How many warehouse versions the publish folder keeps (the current one included, "
            "at least 2); an older one is removed by a later publish once no server has it "
            "open.",
            group="serving",
        ),
        Setting(
            "log_format",
            "IVM_LOG_FORMAT",
            "text",
            "`text` or `json`: the servers' log of requests (standard output), and, with "
            "`json`, the command line's log of loads and publishes (standard error), one JSON "
            "object per line: time, level, event, request id, role and hashed account, path, "
            "status, duration in ms, data version. Never a user's name or address.",
            group="serving",
        ),
        Setting(
            "city_name",
            "IVM_CITY_NAME",
            "",
            "The city's name in every page's header and footer, the browser's title and the "
            "public view (`Stad Aalst`); empty: the name of the municipality in the warehouse.",
            group="branding",
        ),
        Setting(
            "city_logo",
            "IVM_CITY_LOGO",
            "",
            "Path of the city's logo (PNG, SVG, JPEG or WebP, at most 512 KB), shown in the "
            "header of every page; empty: no logo.",
            group="branding",
        ),
        Setting(
            "city_contact",
            "IVM_CITY_CONTACT",
            "",
            "Who answers questions about the monitor and its accessibility (an e-mail address "
            "or a phone number), in every page's footer and the accessibility statement.",
            group="branding",
        ),
        Setting(
            "city_website",
            "IVM_CITY_WEBSITE",
            "",
            "The city's website (`https://www.aalst.be`), linked from the footer.",
            group="branding",
        ),
        Setting(
            "today",
            "IVM_TODAY",
            "",
            "The day the reporting calendar takes as today (which periods are open for "
            "owners' updates, which actions are overdue, which reminders are due), as "
            "YYYY-MM-DD; empty: the system's date. Only to show or test another day.",
            group="steering",
        ),
        Setting(
            "update_max_chars",
            "IVM_UPDATE_MAX_CHARS",
            "2000",
            "The longest text (characters) of each field of an owner's update (what was done, "
            "what is next, why) and of a note on an action's state; longer is refused.",
            group="steering",
        ),
        Setting(
            "reminders",
            "IVM_REMINDERS",
            "0",
            "1: `ivm remind` e-mails the owners whose updates are missing before the "
            "reporting deadline (off by default: it only says whom it would write to).",
            group="steering",
        ),
        Setting(
            "alert_notices",
            "IVM_ALERT_NOTICES",
            "0",
            "1: `ivm alerts --notify` e-mails the owners of the objectives a new early-warning "
            "alert concerns, once per alert (off by default: it only says whom it would write "
            "to).",
            group="steering",
        ),
        Setting(
            "remind_days",
            "IVM_REMIND_DAYS",
            "14",
            "How many days before a reporting period's deadline reminders start; each partner "
            "gets one notice per period.",
            group="steering",
        ),
        Setting("smtp_host", "IVM_SMTP_HOST", "",
                "The SMTP server that sends the reminders (host name); empty: none.",
                group="steering"),
        Setting("smtp_port", "IVM_SMTP_PORT", "25", "The SMTP server's port.",
                group="steering"),
        Setting("smtp_starttls", "IVM_SMTP_STARTTLS", "0",
                "1: switch the SMTP connection to TLS (STARTTLS) before signing in and sending.",
                group="steering"),
        Setting("smtp_user", "IVM_SMTP_USER", "",
                "The user name to sign in to the SMTP server with; empty: no sign-in.",
                group="steering"),
        Setting("smtp_password", "IVM_SMTP_PASSWORD", "",
                "The password of the SMTP user.", group="steering", secret=True),
        Setting("smtp_from", "IVM_SMTP_FROM", "ivmonitor@localhost",
                "The sender address of the reminders.", group="steering"),
        Setting(
            "dashboard_url",
            "IVM_DASHBOARD_URL",
            "http://127.0.0.1:8050",
            "The dashboard's address as people reach it (the link in a reminder).",
            group="steering",
        ),
        Setting(
            "debug",
            "IVM_DEBUG",
            "0",
            "1: the command line shows the whole traceback of a data or user error instead of "
            "its one line.",
            group="development",
        ),
        Setting(
            "update_snapshots",
            "IVM_UPDATE_SNAPSHOTS",
            "0",
            "1: the test suite rewrites the pinned snapshot files (compiled SQL) after a "
            "deliberate change, instead of comparing with them.",
            group="development",
        ),
    ]
}


def setting(name: str) -> str:
    """The current value of setting ``name``."""
    return SETTINGS[name].value()


def flag(name: str) -> bool:
    """Whether the on/off setting ``name`` is on (``1``, ``true``, ``yes``)."""
    return setting(name).strip().lower() in ("1", "true", "yes")


def open_data_dir() -> Path:
    """Where the real open data sets live (``IVM_OPEN_DATA``), read in place, never copied."""
    return Path(setting("open_data_dir"))


def render_docs() -> str:
    """``docs/settings.md``: every setting by group, with its variable, default and help."""
    lines = [
        "# Settings",
        "",
        "Every setting is an environment variable; none is required. Generated from",
        "`core/settings.py` by `python -m core.settings`; do not edit by hand. `ivm settings`",
        "prints the values in effect.",
    ]
    for group, title in GROUPS.items():
        members = [s for s in SETTINGS.values() if s.group == group]
        if not members:
            continue
        lines += ["", f"## {title}", "", "| variable | default | what it does |",
                  "| --- | --- | --- |"]
        for s in members:
            default = "`../shared/data` beside the checkout" if s.name == "open_data_dir" else (
                f"`{s.default}`" if s.default else "(empty)")
            lines.append(f"| `{s.env}` | {default} | {s.help} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    """Write docs/settings.md (or the path given) from :data:`SETTINGS`."""
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/settings.md")
    target.write_text(render_docs(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
