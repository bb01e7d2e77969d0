"""The load benchmark runs end to end on a tiny file (no timing is asserted here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_load_benchmark_runs_at_a_tiny_scale(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "bench", "load", "--rows", "2000", "--repeat", "1",
         "--no-results", "--workdir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "ivm / DuckDB read_csv" in out.stdout
    assert "ivm load_file" in out.stdout and "pandas read_csv + to_sql" in out.stdout
