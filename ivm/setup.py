"""``ivm setup --municipality``: a warehouse for any Flemish municipality in one command, from
the Flanders-wide open layers (see :mod:`etl.municipality`), loaded through ``ivm load`` like
any delivery (each file with its level named), then the results computed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from core.warehouse import Warehouse
from etl.municipality import Layers, cut_municipality
from ivm.wiring import load_any, refresh_all


def run_setup(warehouse: Warehouse, query: str, out: Path,
              echo: Callable[[str], None]) -> Layers:
    """Cut the municipality ``query`` (name or NIS code) into ``out``, load it into
    ``warehouse`` (areas coarse to fine, then population) and compute the results."""
    layers = cut_municipality(query, out)
    echo(layers.summary())
    warehouse.init()
    quarantined = 0
    for cut in layers.files:
        overrides = {"level": cut.level} if cut.level else {}
        result = load_any(warehouse, cut.kind, str(cut.path), cut.profile, False, overrides,
                          refresh=False)
        quarantined += result.counts.quarantined
        echo(result.summary())
    echo(refresh_all(warehouse))
    if quarantined:
        echo(f"warning: {quarantined} row(s) quarantined; `ivm loads` and `ivm quarantine "
             "LOAD_ID` show why")
    echo(f"area files: {out}\nwarehouse: {warehouse.path}\nnext: load the city's facts with "
         "`ivm load incidents|nuisance|survey|activities FILE`, or `ivm demo --municipality "
         f"{layers.municipality.nis}` for demo facts")
    return layers
