"""The load benchmark runs end to end at a tiny scale; its generated file is what it claims.

No timing is asserted: the figures only mean something at city or national scale, on a quiet
machine (``make bench``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"


def _results_text() -> str | None:
    return RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else None


def test_the_load_benchmark_runs_at_a_tiny_scale(tmp_path: Path):
    before = _results_text()
    out = subprocess.run(
        [sys.executable, "-m", "bench", "load", "--rows", "2000", "--repeat", "1",
         "--no-results", "--workdir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    text = out.stdout
    assert text.startswith("nproc "), "machine facts come first"
    for label in ("ivm load_file", "DuckDB read_csv", "pandas read_csv + to_sql"):
        line = next((ln for ln in text.splitlines() if ln.startswith(label)), None)
        assert line is not None, f"no table row for {label}:\n{text}"
        assert "2,000" in line, line
    assert "ivm / DuckDB read_csv = " in text and "target >= 0.8" in text
    assert _results_text() == before, "--no-results leaves bench/RESULTS.md alone"
    assert (tmp_path / "incidents_2000.csv").is_file(), "--workdir is kept"


def test_the_generated_export_is_a_canonical_windows_1252_file(tmp_path: Path):
    sys.path.insert(0, str(ROOT))
    try:
        from bench.load import HEADER, sector_codes, write_incidents
    finally:
        sys.path.remove(str(ROOT))
    path = tmp_path / "incidents.csv"
    write_incidents(path, 120_001, seed=7)  # more than one chunk, an uneven last chunk
    data = path.read_bytes()
    text = data.decode("cp1252")
    assert data.decode("latin-1") == text, "DuckDB's latin-1 reading is exact"
    lines = text.split("\r\n")
    assert lines[0] == HEADER and lines[-1] == ""
    rows = lines[1:-1]
    assert len(rows) == 120_001
    ids = [r.split(";", 1)[0] for r in rows]
    assert len(set(ids)) == len(ids), "source ids are distinct"
    assert any("é" in r for r in rows), "locations carry accents"
    codes = {r.split(";")[7].upper() for r in rows}
    assert codes <= set(sector_codes())
    day, month, rest = rows[0].split(";")[2].split("/")
    assert len(day) == 2 and len(month) == 2 and len(rest) == len("2024 13:05")
