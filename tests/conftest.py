"""Shared fixtures: a real DuckDB warehouse in a temporary folder, small area sets, writers."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from etl.load import load_file
from etl.settings import open_data_dir
from etl.warehouse import Warehouse

#: Three wijken of a toy city as unit squares side by side (lon 4.00-4.03, lat 50.90-50.91).
TOY_WIJKEN = {
    "41002W01": (4.00, 50.90),
    "41002W02": (4.01, 50.90),
    "41002W03": (4.02, 50.90),
}


def square(lon: float, lat: float, size: float = 0.01) -> dict:
    """A GeoJSON polygon: the square with south-west corner (lon, lat)."""
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    """An empty warehouse file at the current schema version."""
    wh = Warehouse(tmp_path / "ivm.duckdb")
    wh.init()
    return wh


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write text (or bytes) to a file in the test's folder and return its path."""

    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode(encoding))
        return path

    return _write


@pytest.fixture
def toy_city(warehouse: Warehouse, write: Callable[..., Path]) -> Warehouse:
    """A warehouse with a toy city: gemeente, deelgemeente, three wijken (polygons), sectors."""
    levels = write(
        "levels.csv",
        "code,name,level\n41002,Aalst,gemeente\n41002A,Aalst (Dg.),deelgemeente\n",
    )
    load_file(warehouse, "areas", levels)
    features = [
        {"type": "Feature", "properties": {"code": code, "naam": f"Wijk {code[-2:]}",
                                           "gemeente": "41002"},
         "geometry": square(lon, lat)}
        for code, (lon, lat) in TOY_WIJKEN.items()
    ]
    wijken = write("wijken.geojson", json.dumps({"type": "FeatureCollection",
                                                 "features": features}))
    load_file(warehouse, "areas", wijken)
    sectors = write(
        "sectors.csv",
        "statsec,statsec_naam,wijk,deelgemeente,gemeente\n"
        "41002A00-,Winkelcentrum,41002W01,41002A,41002\n"
        "41002A011,Begijnhof,41002W01,41002A,41002\n"
        "41002A100,Rand,41002W02,41002A,41002\n",
    )
    load_file(warehouse, "areas", sectors)
    return warehouse


def open_data(*parts: str) -> Path:
    """A file of the real open data (read in place); skips the test when it is not present."""
    path = open_data_dir().joinpath(*parts)
    if not path.exists():
        pytest.skip(f"open data not present: {path} (set IVM_OPEN_DATA)")
    return path


def count(wh: Warehouse, sql: str, params: list | None = None) -> int:
    """The single number a query returns, read from the published warehouse."""
    con = wh.connect_read_only()
    try:
        return con.execute(sql, params or []).fetchall()[0][0]
    finally:
        con.close()




#: The date the shared demo is built as of (its data runs to 31/10/2026).
DEMO_AS_OF = __import__("datetime").date(2026, 11, 24)


@pytest.fixture(scope="session")
def demo_city(tmp_path_factory) -> tuple[Warehouse, Path, list[str]]:
    """The demo city, generated and loaded once per test session through `ivm demo`'s code.

    Tests must not change it; copy it with :func:`demo_copy` to change anything.
    """
    from ivm.demo import run_demo

    folder = tmp_path_factory.mktemp("demo")
    wh = Warehouse(folder / "w.duckdb")
    lines: list[str] = []
    run_demo(wh, folder / "src", 2011, DEMO_AS_OF, False, False, lines.append)
    return wh, folder, lines


@pytest.fixture
def demo_copy(demo_city, tmp_path: Path) -> Warehouse:
    """A private copy of the demo warehouse that a test may change."""
    import shutil

    target = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_city[0].path, target)
    return Warehouse(target)
