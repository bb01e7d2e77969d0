"""The indicator benchmark runs end to end on the demo city; its agreement check has teeth.

No timing is asserted: the figures only mean something on a quiet machine (``python -m bench
indicators --scale city|national``, results in ``bench/RESULTS.md``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"


def _results_text() -> str | None:
    return RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else None


def _bench():
    sys.path.insert(0, str(ROOT))
    try:
        import bench.indicators as module
    finally:
        sys.path.remove(str(ROOT))
    return module


def test_the_indicator_benchmark_runs_on_the_demo_city(demo_city, tmp_path: Path):
    warehouse = demo_city[0]
    before = _results_text()
    out = subprocess.run(
        [sys.executable, "-m", "bench", "indicators", "--db", str(warehouse.path),
         "--repeat", "1", "--no-results", "--workdir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    text = out.stdout
    assert text.startswith("nproc "), "machine facts come first"
    lines = text.splitlines()
    for label in ("ivmonitor compute_values", "DuckDB hand-written", "pandas groupby"):
        row = [ln for ln in lines if ln.startswith(label + " ")]
        assert row, f"no table row for {label}:\n{text}"
    agreement = [ln for ln in lines if ln.startswith("agreement: ")]
    assert agreement and "give the same" in agreement[-1], text
    assert any(ln.startswith("ivmonitor / DuckDB hand-written = ") and "target <= 2 x" in ln
               and ln.endswith(("met", "NOT met")) for ln in lines), text
    assert any(ln.startswith("pandas / ivmonitor = ") and "target >= 10 x" in ln
               for ln in lines), text
    assert _results_text() == before, "--no-results leaves bench/RESULTS.md alone"
    assert warehouse.path.is_file(), "the warehouse given with --db is left in place"


def _values(path: Path, rows: list[tuple]) -> Path:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (indicator_id VARCHAR, area_id VARCHAR, area_level VARCHAR, "
                "period_type VARCHAR, period VARCHAR, complete BOOLEAN, n DOUBLE, "
                "numerator DOUBLE, denominator DOUBLE, value DOUBLE)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute(f"COPY t TO '{path}' (FORMAT parquet)")
    con.close()
    return path


_ROWS = [
    ("crime_count", "41002", "gemeente", "year", "2025", True, 10.0, 10.0, None, 10.0),
    ("unsafe_feeling_share", "41002", "gemeente", "year", "2023", True, 40.0, 12.5, 40.25,
     12.5 / 40.25),
    ("p1_response_minutes_median", "41002", "gemeente", "year", "2025", True, 30.0, None, None,
     11.0),
]


def test_the_agreement_check_accepts_rounding_and_refuses_real_differences(tmp_path: Path):
    bench = _bench()
    a = _values(tmp_path / "a.parquet", _ROWS)
    close = list(_ROWS)
    close[1] = (*close[1][:9], close[1][9] * (1 + 1e-12))  # summation order: still the same
    assert bench.compare(a, _values(tmp_path / "b.parquet", close), "a", "b") == 3

    cases = {
        "value": (*_ROWS[0][:9], 11.0),
        "denominator": (*_ROWS[0][:8], 10.0, 10.0),  # NULL against a number
        "numerator": (*_ROWS[2][:7], 0.0, None, 11.0),
    }
    for column, changed in cases.items():
        rows = [changed if r[0] == changed[0] else r for r in _ROWS]
        b = _values(tmp_path / f"{column}.parquet", rows)
        with pytest.raises(bench.Disagreement, match=f"differ in {column}"):
            bench.compare(a, b, "a", "b")
    fewer = _values(tmp_path / "fewer.parquet", _ROWS[:2])
    with pytest.raises(bench.Disagreement, match="1 keys only in a"):
        bench.compare(a, fewer, "a", "b")


def test_the_hand_written_variants_cover_every_measure_kind_of_the_catalogue():
    bench = _bench()
    from indicators.catalog import load_catalog

    catalog = {ind.id: ind for ind in load_catalog()}
    covered = bench.covered()
    assert len(covered) == len(set(covered))
    assert set(covered) <= set(catalog), "the benchmark names only catalogue indicators"
    kinds = {catalog[i].measure for i in covered}
    assert kinds == {ind.measure for ind in catalog.values()}, "every measure kind is covered"
    assert set(bench._PANDAS_CONDITIONS) == set(covered), "pandas covers the same indicators"
