"""Settings are data: every setting with its environment variable, default and help text."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    """One setting: read from ``env`` when set, else ``default``."""

    name: str
    env: str
    default: str
    help: str

    def value(self) -> str:
        """The current value: the environment variable when set, else the default."""
        return os.environ.get(self.env, self.default)


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting("db", "IVM_DB", "data/ivmonitor.duckdb", "Path of the warehouse file."),
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
            "Memory a load may use in DuckDB; beyond it, work spills to <db>.tmp on disk, so a "
            "file of any size loads in bounded memory.",
        ),
        Setting(
            "refresh_memory_limit",
            "IVM_REFRESH_MEMORY",
            "8GB",
            "Memory the refresh of the stored results may use in DuckDB (after every load and on "
            "`ivm refresh`); beyond it, work spills to <db>.tmp on disk. A national-scale "
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
            "public_min_count",
            "IVM_PUBLIC_MIN_COUNT",
            "5",
            "Public audience: counts from 1 up to this number minus one are suppressed (with "
            "complementary suppression so they cannot be derived).",
        ),
        Setting(
            "public_min_neff",
            "IVM_PUBLIC_MIN_NEFF",
            "30",
            "Public audience: survey shares and means (and other shares, means and medians) "
            "resting on a smaller effective number of observations are suppressed.",
        ),
        Setting(
            "access_db",
            "IVM_ACCESS_DB",
            "",
            "Path of the access store (users, audit log); default: next to the warehouse, "
            "<name>.access.sqlite.",
        ),
        Setting(
            "secret_key",
            "IVM_SECRET_KEY",
            "",
            "Key that signs the mark a browser gets when it signs in (its attempts are then "
            "throttled apart from its address's); default: generated once and kept in the "
            "access store.",
        ),
        Setting(
            "session_idle_minutes",
            "IVM_SESSION_IDLE_MINUTES",
            "30",
            "A dashboard session ends after this many minutes without a request.",
        ),
        Setting(
            "session_max_hours",
            "IVM_SESSION_MAX_HOURS",
            "12",
            "A dashboard session ends this many hours after the login, active or not.",
        ),
        Setting(
            "login_free_failures",
            "IVM_LOGIN_FREE_FAILURES",
            "5",
            "Failed sign-ins for one user name from one address (or one browser that signed "
            "in as that user before) within 15 minutes before each further attempt from there "
            "has to wait: 1 s, then 2, 4, 8 ... seconds. Other addresses and browsers are not "
            "slowed.",
        ),
        Setting(
            "login_max_delay_seconds",
            "IVM_LOGIN_MAX_DELAY_SECONDS",
            "300",
            "The longest wait between two sign-in attempts of one user name from one address "
            "(or browser) after repeated failures.",
        ),
        Setting(
            "trusted_proxies",
            "IVM_TRUSTED_PROXIES",
            "",
            "Addresses (comma-separated, CIDR allowed) of reverse proxies whose user header is "
            "trusted (single sign-on by the city's identity provider); empty: off.",
        ),
        Setting(
            "user_header",
            "IVM_USER_HEADER",
            "X-Remote-User",
            "The request header a trusted proxy sets to the logged-in user's name.",
        ),
    ]
}


def setting(name: str) -> str:
    """The current value of setting ``name``."""
    return SETTINGS[name].value()


def open_data_dir() -> Path:
    """Where the real open data sets live (``IVM_OPEN_DATA``), read in place, never copied."""
    return Path(setting("open_data_dir"))
