"""The tenants of one installation: the municipalities (or police zones) whose plans it hosts.

Without a tenants file (``IVM_TENANTS`` empty, the default) an installation serves one city: the
warehouse of ``IVM_DB`` and its application store, one implicit tenant. With one, it serves
every tenant the file names, each with a warehouse of its own (default
``<folder of the file>/<id>/ivmonitor.duckdb``), loaded, published, backed up and removed on its
own, and each with an application store of its own (:mod:`access.app_db`): accounts, sessions,
audit log, partners, updates, packs of one tenant are never in a database another tenant's
requests open. Which tenant a request is for is its host name (:meth:`Tenants.for_host`).

The file (YAML, at most :data:`MAX_BYTES`)::

    tenants:
      - id: aalst                      # a-z, 0-9 and '-', at most 32 characters
        name: Aalst                    # shown on the sign-in page and in the header
        hosts: [aalst.veiligheid.example.be]
        db: aalst/ivmonitor.duckdb     # optional; relative to the file's folder
      - id: pz-regio-x
        name: Politiezone Regio X
        hosts: [regio-x.veiligheid.example.be]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import yaml

from core.errors import IvmError
from core.settings import setting

#: A tenant's id: short, lower case, safe in a path, a host name and a database schema name.
TENANT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
#: A host name as a request names it (without its port).
HOST = re.compile(r"^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$")
#: The largest tenants file read, and the most tenants in it.
MAX_BYTES = 1_000_000
MAX_TENANTS = 1000
#: The warehouse file of a tenant, in its folder.
WAREHOUSE_FILE = "ivmonitor.duckdb"


@dataclass(frozen=True)
class Tenant:
    """One municipality or police zone of the installation."""

    id: str
    name: str
    hosts: tuple[str, ...]
    #: Its warehouse file (absolute).
    db: Path


@dataclass(frozen=True)
class Tenants:
    """Every tenant of a tenants file, in the file's order."""

    file: Path
    members: tuple[Tenant, ...]

    def __iter__(self):
        return iter(self.members)

    def __len__(self) -> int:
        return len(self.members)

    def by_id(self, tenant_id: str) -> Tenant:
        """The tenant called ``tenant_id`` (a one-line error naming the known ones)."""
        for t in self.members:
            if t.id == tenant_id:
                return t
        raise IvmError("no_tenant", f"{self.file}: no tenant '{tenant_id}'",
                       hint=f"one of {', '.join(t.id for t in self.members)}")

    def for_host(self, host: str | None) -> Tenant | None:
        """The tenant served at ``host`` (a request's Host header, with or without its port);
        None for a host no tenant names."""
        name = normal_host(host)
        return next((t for t in self.members if name in t.hosts), None) if name else None

    def of_warehouse(self, path: str | Path) -> Tenant | None:
        """The tenant whose warehouse file ``path`` is (None: no tenant's)."""
        target = Path(path).resolve()
        return next((t for t in self.members if t.db == target), None)


def normal_host(host: str | None) -> str | None:
    """A Host header's name: lower case, without the port and a final dot; None when it is
    no host name."""
    if not host:
        return None
    name = host.strip().lower()
    if name.startswith("["):
        return None  # an IPv6 literal names no tenant
    name = name.rsplit(":", 1)[0] if ":" in name else name
    name = name.rstrip(".")
    return name if HOST.match(name) else None


def load_tenants(path: str | Path) -> Tenants:
    """Read and check a tenants file; every fault is one line naming the file and the tenant."""
    file = Path(path).resolve()
    try:
        if file.stat().st_size > MAX_BYTES:
            raise IvmError("bad_tenants", f"{file}: larger than {MAX_BYTES} bytes")
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IvmError("bad_tenants", f"{file}: no such tenants file",
                       hint="IVM_TENANTS names the tenants file; empty: one city") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise IvmError("bad_tenants", f"{file}: not a readable YAML file "
                       f"({str(exc).splitlines()[0][:200]})") from None
    entries = raw.get("tenants") if isinstance(raw, dict) else None
    if not isinstance(entries, list) or not entries:
        raise IvmError("bad_tenants", f"{file}: expected 'tenants:' with a list of tenants")
    if len(entries) > MAX_TENANTS:
        raise IvmError("bad_tenants", f"{file}: more than {MAX_TENANTS} tenants")
    members: list[Tenant] = []
    for n, entry in enumerate(entries, start=1):
        members.append(_tenant(file, n, entry))
    for what, values in (("id", [t.id for t in members]),
                         ("host", [h for t in members for h in t.hosts]),
                         ("db", [str(t.db) for t in members])):
        twice = sorted({v for v in values if values.count(v) > 1})
        if twice:
            raise IvmError("bad_tenants", f"{file}: {what} {twice[0]!r} is named twice",
                           hint="each tenant has its own id, host names and warehouse")
    return Tenants(file, tuple(members))


def _tenant(file: Path, n: int, entry: object) -> Tenant:
    where = f"{file}: tenant {n}"
    if not isinstance(entry, dict):
        raise IvmError("bad_tenants", f"{where}: expected id, name, hosts (and db)")
    unknown = set(entry) - {"id", "name", "hosts", "db"}
    if unknown:
        raise IvmError("bad_tenants", f"{where}: unknown key {sorted(map(str, unknown))[0]!r}",
                       hint="keys: id, name, hosts, db")
    tenant_id = entry.get("id")
    if not isinstance(tenant_id, str) or not TENANT_ID.match(tenant_id):
        raise IvmError("bad_tenants", f"{where}: id {tenant_id!r} is not allowed",
                       hint="1-32 of a-z, 0-9 and '-', starting with a letter or digit")
    where = f"{file}: tenant '{tenant_id}'"
    name = entry.get("name", tenant_id)
    if not isinstance(name, str) or not name.strip() or len(name) > 120:
        raise IvmError("bad_tenants", f"{where}: name must be text of 1-120 characters")
    hosts = entry.get("hosts")
    if isinstance(hosts, str):
        hosts = [hosts]
    if not isinstance(hosts, list) or not hosts:
        raise IvmError("bad_tenants", f"{where}: expected hosts, a list of host names")
    names = []
    for h in hosts:
        host = normal_host(h) if isinstance(h, str) else None
        if host is None or ":" in str(h):
            raise IvmError("bad_tenants", f"{where}: {h!r} is not a host name",
                           hint="a name like aalst.veiligheid.example.be, without port")
        names.append(host)
    db = entry.get("db", f"{tenant_id}/{WAREHOUSE_FILE}")
    if not isinstance(db, str) or not db.strip():
        raise IvmError("bad_tenants", f"{where}: db must be a file path")
    return Tenant(tenant_id, name.strip(), tuple(names), (file.parent / db).resolve())


def site_url(tenant: Tenant | None) -> str:
    """The dashboard's address as people reach it (the link in a reminder or an alert notice):
    ``IVM_DASHBOARD_URL``, with a tenant's first host name in place of its host (its scheme
    and port kept)."""
    base = setting("dashboard_url").rstrip("/")
    if tenant is None:
        return base
    parts = urlsplit(base)
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit((parts.scheme or "https", tenant.hosts[0] + port, parts.path, "", ""))


_loaded: dict[tuple[str, float], Tenants] = {}


def configured_tenants() -> Tenants | None:
    """The tenants of ``IVM_TENANTS`` (None without a tenants file: one city)."""
    path = setting("tenants").strip()
    if not path:
        return None
    try:
        key = (str(Path(path).resolve()), Path(path).stat().st_mtime)
    except OSError:
        key = (path, -1.0)
    if setting("publish_dir").strip():
        # each tenant's loads would move one shared pointer: refuse rather than mix cities
        raise IvmError("bad_tenants", f"{path}: a tenants file and a publish folder "
                       "(IVM_PUBLISH_DIR) together: the publish folder serves one city",
                       hint="unset IVM_PUBLISH_DIR; each tenant's warehouse is served from its "
                            "own file")
    if key not in _loaded:
        _loaded.clear()
        _loaded[key] = load_tenants(path)
    return _loaded[key]


__all__ = ["TENANT_ID", "Tenant", "Tenants", "configured_tenants", "load_tenants",
           "normal_host", "site_url"]
