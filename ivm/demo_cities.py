"""``ivm demo --cities``: one installation hosting several municipalities, each its own tenant
with its own demo plan on its real areas, its own warehouse and its own accounts.

It writes a tenants file (``<out>/tenants.yaml``; each city at ``<id>.localhost``, which
browsers send to this machine without any DNS) and builds each tenant's warehouse
(``<out>/<id>/ivmonitor.duckdb``) with ``ivm demo --municipality``'s code. Served with
``IVM_TENANTS=<out>/tenants.yaml ivm serve``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

from core.errors import IvmError
from core.settings import setting
from core.tenants import Tenants, configured_tenants, load_tenants
from core.warehouse import Warehouse
from etl.municipality import find_municipality
from ivm.demo import demo_users, run_demo

#: The most cities one demo builds (each is a city-scale demo).
MAX_CITIES = 6


def city_id(name: str) -> str:
    """A tenant id from a municipality's name: ``Sint-Niklaas`` -> ``sint-niklaas``."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:32] or "city"


def write_tenants_file(out: Path, names: list[str]) -> Tenants:
    """The tenants file of the cities ``names`` (names or NIS codes), each at ``<id>.localhost``."""
    found = [find_municipality(n) for n in names]
    ids = [city_id(m.name) for m in found]
    if len(set(ids)) != len(ids):
        raise IvmError("bad_option", "--cities names a municipality twice")
    out.mkdir(parents=True, exist_ok=True)
    lines = ["# The demo's tenants (`ivm demo --cities`): serve with",
             f"# IVM_TENANTS={out / 'tenants.yaml'} ivm serve", "tenants:"]
    for m, tenant_id in zip(found, ids, strict=True):
        lines += [f"  - id: {tenant_id}", f"    name: \"{m.name}\"",
                  f"    hosts: [{tenant_id}.localhost]", f"    # NIS {m.nis}"]
    path = out / "tenants.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_tenants(path)


def run_cities(out: Path, names: list[str], seed: int, as_of: dt.date, force: bool,
               echo: Callable[[str], None]) -> Tenants:
    """Build every city's tenant: its warehouse with its demo and plan, and its accounts."""
    if not 2 <= len(names) <= MAX_CITIES:
        raise IvmError("bad_option", f"--cities takes 2 to {MAX_CITIES} municipalities",
                       hint="e.g. --cities Aalst,Mechelen,Herstappe")
    file = out.resolve() / "tenants.yaml"
    if setting("app_db").strip():
        current = configured_tenants()
        if current is None or current.file != file:
            raise IvmError("bad_option", "IVM_APP_DB names a database server: its tenants' "
                           "schemas follow IVM_TENANTS", hint=f"set IVM_TENANTS={file} (or "
                           "leave IVM_APP_DB empty: each city's store is a file)")
    tenants = write_tenants_file(out.resolve(), names)
    for tenant, name in zip(tenants, names, strict=True):
        echo(f"== {tenant.name} (tenant {tenant.id}, http://{tenant.hosts[0]}:8050)")
        warehouse = Warehouse(tenant.db)
        run_demo(warehouse, tenant.db.parent / "demo", seed, as_of, False, force, echo,
                 "city", name)
        demo_users(warehouse, echo)
    echo(f"tenants file: {tenants.file}\nserve: IVM_TENANTS={tenants.file} ivm serve\n"
         + "\n".join(f"  {t.name}: http://{t.hosts[0]}:8050" for t in tenants))
    return tenants


__all__ = ["city_id", "run_cities", "write_tenants_file"]
