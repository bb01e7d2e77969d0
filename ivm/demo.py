"""``ivm demo``: generate the demo city's source files and load them through ``ivm load``.

Skipped when the same demo (seed, month, generator code) is already loaded into the warehouse.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from access.steering.store import Steering
from core.warehouse import Warehouse
from etl.demo import generate
from etl.readers import inspect_file
from ivm.demo_history import play_history
from ivm.wiring import activate_plan, load_any, load_partners, plan_version_of, refresh_all


def code_fingerprint() -> str:
    """A digest of the demo generators and profiles: a change regenerates the demo."""
    digest = hashlib.sha256()
    for folder_name, pattern in (("demo", "*.py"), ("profiles", "*.yaml")):
        folder = resources.files("etl").joinpath(folder_name)
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if Path(entry.name).match(pattern):
                digest.update(entry.name.encode() + entry.read_bytes())
    return digest.hexdigest()[:16]


def already_loaded(warehouse: Warehouse, out: Path, key: dict) -> bool:
    """Whether ``out`` holds this exact demo and every file of it is loaded in ``warehouse``."""
    manifest = out / "manifest.json"
    if not manifest.exists() or not warehouse.exists():
        return False
    data = json.loads(manifest.read_text(encoding="utf-8"))
    if data.get("key") != key:
        return False
    con = warehouse.connect_read_only()
    try:
        loaded = {r[0] for r in con.execute(
            "SELECT sha256 FROM load_log WHERE outcome IN ('loaded', 'unchanged')"
        ).fetchall()}
    finally:
        con.close()
    loaded |= Steering.of_warehouse(warehouse.path).partners.files_loaded()
    return all(f.get("sha256") in loaded for f in data["files"])


def run_demo(warehouse: Warehouse, out: Path, seed: int, as_of: dt.date, synthetic: bool,
             force: bool, echo: Callable[[str], None], scale: str = "city",
             municipality: str | None = None) -> None:
    """Generate (unless already loaded) and load the demo (of Aalst, or of ``municipality``);
    report with ``echo``."""
    key = {"seed": seed, "month": as_of.strftime("%Y-%m"), "synthetic": synthetic,
           "scale": scale, "code": code_fingerprint(),
           **({"municipality": municipality} if municipality else {})}
    if not force and already_loaded(warehouse, out, key):
        echo(f"demo already loaded and unchanged: {out} -> {warehouse.path}")
        return
    city, loads = generate(out, seed=seed, as_of=as_of, synthetic=synthetic, scale=scale,
                           municipality=municipality)
    if scale == "national":
        areas = "Flanders and Brussels (be-aalst-areas open data, read in place)"
    elif municipality:
        areas = (f"{city.name} ({city.code}), cut from the Flanders-wide open layers "
                 "(be-aalst-areas, be-statbel-bevolking, read in place)")
    elif city.source == "real":
        areas = "real Aalst open data (be-aalst-areas, read in place)"
    else:
        areas = "a synthetic city with Aalst's structure (open data not found)"
    echo(f"demo city: {areas}; data {city.start:%d/%m/%Y} - {city.end:%d/%m/%Y}, seed {seed}")
    warehouse.init()
    files = []
    plan = None
    for item in loads:
        if item.kind == "partners":
            echo(load_partners(warehouse, str(item.path)))
        elif not item.revision:
            echo(load_any(warehouse, item.kind, str(item.path), item.profile, True,
                          {"level": item.level} if item.level else {},
                          refresh=False, period_start=item.period_start).summary())
        files.append({"kind": item.kind, "file": str(item.path),
                      "sha256": inspect_file(item.path).sha256})
        if item.kind == "plan" and not item.revision:
            plan = plan_version_of(str(item.path))
    if plan is not None:  # the demo's plan is put in force, as a city's council would
        activate_plan(warehouse, plan, refresh=False)
        echo(f"plan {plan} in force")
        play_history(warehouse, next((i for i in loads if i.revision), None), as_of, city.end,
                     echo)
    else:
        echo(refresh_all(warehouse))
    manifest = out / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data.update(key=key, files=files)
    manifest.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    echo(f"source files: {out}\nwarehouse: {warehouse.path}")


#: One demo account per role: (name, role, partner).
DEMO_USERS = [
    ("demo-beheerder", "beheerder", None),
    ("demo-analist", "analist", None),
    ("demo-bestuur", "bestuur", None),
    ("demo-politie", "politie", None),
    ("demo-dienst", "dienst", "preventiedienst"),
    ("demo-politiezone", "dienst", "politiezone"),
    ("demo-gas", "dienst", "GAS-ambtenaar"),
]


def demo_users(warehouse: Warehouse, echo: Callable[[str], None]) -> dict[str, str]:
    """One account per role (and two more partner accounts, for the owners' updates of the
    police zone and the GAS officer) with a freshly generated password (new on every run, never
    in the code), printed so a newcomer can sign in at once; the public needs no account."""
    from access.passwords import generate
    from access.store import AccessStore

    store = AccessStore.of_warehouse(warehouse.path)
    made = {}
    echo("demo accounts (new passwords on every `ivm demo`; the public view needs none: "
         "`ivm serve --public`):")
    for name, role, partner in DEMO_USERS:
        password = generate()
        user = store.user(name)
        if user is None:
            store.add_user(name, role, password, partner)
        else:
            store.set_password(name, password)
            if not user.enabled:
                store.set_enabled(name, True)
        made[name] = password
        echo(f"  {name:<16} {password}   {role}{' (' + partner + ')' if partner else ''}")
    return made
