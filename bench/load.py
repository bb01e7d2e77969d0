"""The load benchmark: how fast ivmonitor loads an incident file, next to two yardsticks.

One run generates a realistic canonical incident export (Windows-1252, ``;``, day-first dates,
CRLF, Aalst statistical sectors as area codes, a few quoted values, a few rows that fail
validation), written streaming in chunks so memory stays bounded at any scale. It then measures,
each run in its own subprocess (interpreter start-up and imports not timed):

``ivm``
    ``etl.load.load_file`` of the file into a fresh warehouse that has the areas loaded: sniffing,
    checksum, parsing, validation, area assignment, quarantine, merge and the atomic publish.
    (pandas, which pyarrow imports lazily inside the reader, and the modules a load imports on
    first use are imported before the clock starts; pandas' import time is shown in the note.)
``duckdb``
    DuckDB's own ``CREATE TABLE t AS SELECT * FROM read_csv(...)`` into a fresh DuckDB file
    (the ceiling: no validation at all). The text uses only characters that Windows-1252 and
    Latin-1 encode alike, so ``encoding='latin-1'`` reads it exactly.
``pandas``
    ``pandas.read_csv`` + ``DataFrame.to_sql`` through SQLAlchemy and duckdb-engine, the usual
    hand-written loader. At national scale it runs on the first 200,000 rows only and its time
    is extrapolated linearly (marked as such).

Peak memory is the ``ru_maxrss`` of each variant's own process, read with ``os.wait4`` on that
child: the value ``resource.getrusage(RUSAGE_CHILDREN)`` would give in a parent that ran only that
child (``RUSAGE_CHILDREN`` itself is a running maximum over all children, useless per variant).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "RESULTS.md"

#: Rows of the generated incident file per scale.
SCALES = {"city": 200_000, "national": 10_000_000}
#: Variants in the order they are run and shown.
VARIANTS = ("ivm", "duckdb", "pandas")
LABELS = {
    "ivm": "ivm load_file",
    "duckdb": "DuckDB read_csv",
    "pandas": "pandas read_csv + to_sql",
}
#: Rows the pandas variant runs on when the file is bigger (then extrapolated).
PANDAS_MAX_ROWS = 200_000
#: The goal: ivm loads at least 0.8 times as many rows per second as DuckDB's bare read_csv.
TARGET_RATIO = 0.8

HEADER = (
    "source_id;category;occurred_at;reported_at;priority;dispatched_at;arrived_at;"
    "area_code;location"
)
_CHUNK = 50_000
_ENCODING = "cp1252"

#: Aalst (NIS 41002) and its deelgemeenten, by the letter of their statistical sectors.
DEELGEMEENTEN = {
    "A": "Aalst",
    "B": "Baardegem",
    "C": "Erembodegem",
    "D": "Gijzegem",
    "E": "Herdersem",
    "F": "Hofstade",
    "G": "Meldert",
    "H": "Moorsel",
    "I": "Nieuwerkerken",
}
#: Sectors per deelgemeente (Aalst itself has most of them).
_SECTORS_PER = {"A": 60, "B": 6, "C": 16, "D": 5, "E": 6, "F": 8, "G": 6, "H": 10, "I": 8}
#: Street names as they appear in police exports: accents (all in the Latin-1 range), dashes.
STREETS = [
    "Grote Markt", "Molenstraat", "Nieuwstraat", "Kerkstraat", "Stationsplein",
    "Esplanadeplein", "Zwarte Zustersstraat", "Sint-Jozefsplein", "Priester Daensplein",
    "Gentsesteenweg", "Brusselsesteenweg", "Dendermondsesteenweg", "Geraardsbergsestraat",
    "Hélène Dutrieustraat", "Émile Verhaerenlaan", "Frédéric Van Gheluwestraat",
    "Rue de l'Église", "Café Ça Va, Grote Markt", "Renée Prinsstraat", "Pierre Coremansstraat",
    "Boulevard Léopold II", "Hôtel de Ville", "Noël Gevaertlaan", "Désiré Mergaertstraat",
    "Oude Gentbaan", "Moorselbaan", "Bergemeersenstraat", "Vijfhuizenstraat",
]
#: Relative frequency of the canonical incident categories (roughly a Flemish city's mix).
CATEGORY_WEIGHTS = {
    "residential_burglary": 5, "residential_burglary_attempt": 2, "non_residential_burglary": 2,
    "bicycle_theft": 9, "theft_from_vehicle": 6, "vehicle_theft": 2, "pickpocketing": 3,
    "shoplifting": 6, "robbery": 1, "other_theft": 10, "violence_public_space": 6,
    "intra_family_violence": 5, "drugs": 6, "vandalism": 9, "fraud": 8, "public_order": 4,
    "weapons": 1, "traffic_accident_injury": 6, "other_crime": 9,
}
_START = np.datetime64("2020-01-01T00:00", "m")
_SPAN_MINUTES = 6 * 365 * 24 * 60  # up to the end of 2025: never in the future


# --------------------------------------------------------------------------------------------
# The data


def sector_codes() -> list[str]:
    """The statistical sector codes of the generated Aalst (pattern ``41002A01-`` etc.)."""
    codes = []
    for letter, n in _SECTORS_PER.items():
        for k in range(n):
            codes.append(f"41002{letter}{k // 3:02d}{'-12'[k % 3]}")
    return codes


def wijk_of(code: str) -> str:
    """The wijk a generated sector belongs to (20 wijken, sectors spread over them)."""
    return f"41002W{hash_code(code) % 20 + 1:02d}"


def hash_code(code: str) -> int:
    """A small stable hash of a code (Python's own ``hash`` of str is salted per process)."""
    return sum((i + 1) * ord(c) for i, c in enumerate(code))


def write_area_files(folder: Path) -> list[Path]:
    """Write the area files of the generated Aalst: levels (gemeente, deelgemeenten, wijken)
    and sectors with their parents; returns them in load order."""
    levels = folder / "areas_levels.csv"
    lines = ["code,name,level,parent_id", "41002,Aalst,gemeente,"]
    lines += [f"41002{k},{name},deelgemeente,41002" for k, name in DEELGEMEENTEN.items()]
    lines += [f"41002W{w:02d},Wijk {w:02d},wijk,41002" for w in range(1, 21)]
    levels.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sectors = folder / "areas_sectors.csv"
    lines = ["code,name,wijk,deelgemeente,gemeente"]
    lines += [
        f"{code},Sector {code[5:]},{wijk_of(code)},41002{code[5]},41002"
        for code in sector_codes()
    ]
    sectors.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [levels, sectors]


def _dates(minutes: np.ndarray) -> list[str]:
    """Day-first ``dd/mm/yyyy HH:MM`` texts of minute offsets from the start."""
    iso = np.datetime_as_string(_START + minutes.astype("timedelta64[m]"), unit="m")
    return [f"{s[8:10]}/{s[5:7]}/{s[:4]} {s[11:16]}" for s in iso.tolist()]


def _chunk_lines(rng: np.random.Generator, first: int, n: int, sectors: list[str]) -> list[str]:
    """``n`` data lines of the incident export, ids starting at ``first``."""
    cats = list(CATEGORY_WEIGHTS)
    weights = np.array(list(CATEGORY_WEIGHTS.values()), dtype=float)
    cat = rng.choice(len(cats), size=n, p=weights / weights.sum())
    occurred = rng.integers(0, _SPAN_MINUTES, size=n)
    reported = occurred + rng.integers(0, 180, size=n)
    dispatched = reported + rng.integers(1, 30, size=n)
    arrived = dispatched + rng.integers(3, 45, size=n)
    has_dispatch = rng.random(n) < 0.6
    has_arrival = has_dispatch & (rng.random(n) < 0.9)
    prio = rng.choice(5, size=n, p=[0.05, 0.2, 0.35, 0.3, 0.1]) + 1
    prio_text = prio.astype(str).astype(object)
    prio_text[rng.random(n) < 0.02] = ""
    prio_text[rng.random(n) < 0.0002] = "7"  # out of range: quarantined by ivm
    area = rng.integers(0, len(sectors), size=n)
    lower = rng.random(n) < 0.01  # codes typed in lower case: ivm accepts them
    street = rng.integers(0, len(STREETS), size=n)
    number = rng.integers(1, 250, size=n)
    quoted = rng.random(n) < 0.002  # a ';' inside a quoted value

    occ, rep, dis, arr = _dates(occurred), _dates(reported), _dates(dispatched), _dates(arrived)
    lines = []
    for i in range(n):
        code = sectors[area[i]]
        loc = f"{STREETS[street[i]]} {number[i]}"
        if quoted[i]:
            loc = f'"{loc}; terras"'
        lines.append(
            f"AA{first + i:09d};{cats[cat[i]]};{occ[i]};{rep[i]};{prio_text[i]};"
            f"{dis[i] if has_dispatch[i] else ''};{arr[i] if has_arrival[i] else ''};"
            f"{code.lower() if lower[i] else code};{loc}"
        )
    return lines


def write_incidents(path: Path, rows: int, seed: int) -> None:
    """Write the incident export of ``rows`` rows, chunk by chunk (bounded memory)."""
    sectors = sector_codes()
    rng = np.random.default_rng(seed)
    with open(path, "wb") as fh:
        fh.write((HEADER + "\r\n").encode(_ENCODING))
        for first in range(0, rows, _CHUNK):
            n = min(_CHUNK, rows - first)
            text = "\r\n".join(_chunk_lines(rng, first, n, sectors)) + "\r\n"
            fh.write(text.encode(_ENCODING))


def head_of(path: Path, rows: int, out: Path) -> None:
    """Copy the header and the first ``rows`` data lines of ``path`` to ``out``."""
    with open(path, "rb") as src, open(out, "wb") as dst:
        dst.writelines(islice(src, rows + 1))


# --------------------------------------------------------------------------------------------
# The variants (each runs in its own process: ``python -m bench _variant NAME CSV DB``)


def _variant_ivm(csv: Path, db: Path) -> dict:
    # with the modules a load imports on first use (imports are not load work, as for the others)
    from core.warehouse import Warehouse
    from etl import area_load, event_load  # noqa: F401
    from etl.load import load_file
    from etl.readers import delimited  # noqa: F401

    # pyarrow imports pandas lazily the first time the CSV reader turns a numpy array into an
    # Arrow array: a one-off import, not load work, so it is done (and reported) before timing.
    t0 = time.perf_counter()
    import pandas  # noqa: F401

    warm = time.perf_counter() - t0
    wh = Warehouse(db)
    t0 = time.perf_counter()
    result = load_file(wh, "incidents", csv)
    seconds = time.perf_counter() - t0
    c = result.counts
    return {
        "rows": c.read,
        "seconds": seconds,
        "detail": f"loaded {c.loaded}, quarantined {c.quarantined}; "
        f"lazy pandas import {warm:.2f} s untimed",
    }


def _variant_duckdb(csv: Path, db: Path) -> dict:
    import duckdb

    from core.sqltext import lit

    t0 = time.perf_counter()
    con = duckdb.connect(str(db))
    con.execute(
        "CREATE TABLE t AS SELECT * FROM read_csv("
        f"{lit(str(csv))}, delim=';', header=true, encoding='latin-1')"
    )
    con.close()  # checkpoints: the table is on disk, as a published warehouse is
    seconds = time.perf_counter() - t0
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
    types = con.execute("SELECT data_type, count(*) FROM duckdb_columns() "
                        "WHERE table_name = 't' GROUP BY ALL ORDER BY 2 DESC").fetchall()
    con.close()
    return {
        "rows": rows,
        "seconds": seconds,
        "detail": "types " + ", ".join(f"{n} {t}" for t, n in types),
    }


def _variant_pandas(csv: Path, db: Path) -> dict:
    import pandas as pd
    from sqlalchemy import create_engine

    t0 = time.perf_counter()
    df = pd.read_csv(csv, sep=";", encoding=_ENCODING)
    engine = create_engine(f"duckdb:///{db}")
    df.to_sql("t", engine, index=False)
    engine.dispose()
    seconds = time.perf_counter() - t0
    return {"rows": len(df), "seconds": seconds, "detail": ""}


_RUNNERS = {"ivm": _variant_ivm, "duckdb": _variant_duckdb, "pandas": _variant_pandas}


def run_variant_here(variant: str, csv: Path, db: Path) -> None:
    """Run one variant in this process and print its measurement as one JSON line."""
    print(json.dumps(_RUNNERS[variant](csv.resolve(), db.resolve())), flush=True)


@dataclass
class Run:
    """One measured run of a variant."""

    rows: int
    seconds: float
    max_rss_mb: float
    detail: str


def run_in_child(variant: str, csv: Path, db: Path) -> Run:
    """Run a variant in a fresh subprocess; its time, rows and peak resident memory."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    cmd = [sys.executable, "-m", "bench", "_variant", variant, str(csv), str(db)]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise RuntimeError(
                f"variant {variant} failed ({proc.returncode}):\n{err.read().decode()[-4000:]}"
            )
        result = json.loads(out.read().decode().strip().splitlines()[-1])
    return Run(result["rows"], result["seconds"], usage.ru_maxrss / 1024, result["detail"])


# --------------------------------------------------------------------------------------------
# The run


@dataclass
class Outcome:
    """All runs of one variant, and how its figures were obtained."""

    variant: str
    runs: list[Run] = field(default_factory=list)
    #: When measured on a sample: the rows of the full file the rate is extrapolated to.
    extrapolated_to: int | None = None

    @property
    def seconds(self) -> float:
        """Median seconds over the runs (extrapolated to the full file when sampled)."""
        med = statistics.median(r.seconds for r in self.runs)
        return med * self.scale

    @property
    def scale(self) -> float:
        """Factor from the measured rows to the reported rows."""
        return self.extrapolated_to / self.runs[0].rows if self.extrapolated_to else 1.0

    @property
    def rows(self) -> int:
        """Rows the figures are for."""
        return self.extrapolated_to or self.runs[0].rows

    @property
    def rows_per_s(self) -> float:
        """Rows per second at the median time."""
        return self.rows / self.seconds

    def cells(self) -> list[str]:
        """The table row: variant, rows, seconds, rows/s, peak RSS, note."""
        lo = min(r.seconds for r in self.runs) * self.scale
        hi = max(r.seconds for r in self.runs) * self.scale
        note = self.runs[0].detail
        if self.extrapolated_to:
            note = (
                f"extrapolated from a {self.runs[0].rows:,}-row sample "
                f"(RSS is the sample's)"
            )
        return [
            LABELS[self.variant],
            f"{self.rows:,}",
            f"{self.seconds:.2f} ({lo:.2f}-{hi:.2f})",
            f"{self.rows_per_s:,.0f}",
            f"{max(r.max_rss_mb for r in self.runs):,.0f}",
            note,
        ]


_COLUMNS = ["variant", "rows", "seconds median (min-max)", "rows/s", "peak RSS MB", "note"]


def machine_facts() -> dict[str, str]:
    """CPU count, CPU model, memory, OS and library versions."""
    import duckdb
    import pandas
    import pyarrow

    model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with open("/proc/meminfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": model or platform.processor() or "?",
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "versions": f"duckdb {duckdb.__version__}, pyarrow {pyarrow.__version__}, "
        f"pandas {pandas.__version__}",
        "load": "load average {:.1f} {:.1f} {:.1f} at start".format(*os.getloadavg()),
    }


def git_commit() -> str:
    """Short commit of the checkout, marked when the working tree has changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + (" (with uncommitted changes)" if dirty else "")


def _table(outcomes: list[Outcome]) -> list[list[str]]:
    return [_COLUMNS, *[o.cells() for o in outcomes]]


def format_text(rows: list[list[str]]) -> str:
    """A plain-text table with aligned columns."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def format_markdown(rows: list[list[str]]) -> str:
    """A markdown table."""
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(out)


def verdict(outcomes: list[Outcome]) -> str:
    """The ratio ivm / DuckDB in rows per second against the target."""
    by = {o.variant: o for o in outcomes}
    ratio = by["ivm"].rows_per_s / by["duckdb"].rows_per_s
    met = "met" if ratio >= TARGET_RATIO else "NOT met"
    return f"ivm / DuckDB read_csv = {ratio:.2f} x (target >= {TARGET_RATIO} x): {met}"


def run_benchmark(
    *,
    scale: str,
    rows: int | None,
    repeat: int,
    workdir: Path | None,
    keep: bool,
    results: Path | None,
    seed: int,
) -> list[Outcome]:
    """Generate the file, measure every variant ``repeat`` times, print and record the table."""
    n = rows if rows is not None else SCALES[scale]
    made_temp = workdir is None
    folder = Path(tempfile.mkdtemp(prefix="ivm-bench-")) if made_temp else Path(workdir)
    folder.mkdir(parents=True, exist_ok=True)
    facts = machine_facts()
    print(f"nproc {facts['nproc']} ({facts['cpu']}), memory {facts['memory']}, {facts['os']}, "
          f"Python {facts['python']}, {facts['versions']}; {facts['load']}", flush=True)
    try:
        outcomes, file_note = _measure(folder, n, repeat, seed)
    finally:
        if made_temp and not keep:
            shutil.rmtree(folder, ignore_errors=True)
    table = _table(outcomes)
    print()
    print(format_text(table))
    print()
    print(verdict(outcomes))
    if results is not None:
        _append_results(results, scale if rows is None else f"{n:,} rows", n, repeat,
                        facts, file_note, table, verdict(outcomes))
        print(f"appended to {results}")
    return outcomes


def _measure(folder: Path, n: int, repeat: int, seed: int) -> tuple[list[Outcome], str]:
    from core.warehouse import Warehouse
    from etl.load import load_file

    csv = folder / f"incidents_{n}.csv"
    t0 = time.perf_counter()
    write_incidents(csv, n, seed)
    size_mb = csv.stat().st_size / 1e6
    file_note = (f"{n:,} rows, {size_mb:,.1f} MB, Windows-1252, ';', CRLF, "
                 f"generated in {time.perf_counter() - t0:.1f} s")
    print(f"file: {csv} ({file_note})", flush=True)

    template = folder / "template.duckdb"
    for p in (template, template.with_name(template.name + ".lock")):
        p.unlink(missing_ok=True)
    wh = Warehouse(template)
    wh.init()
    for area_file in write_area_files(folder):
        load_file(wh, "areas", area_file)

    pandas_csv = csv
    outcomes = [Outcome(v) for v in VARIANTS]
    if n > PANDAS_MAX_ROWS:
        pandas_csv = folder / f"incidents_{PANDAS_MAX_ROWS}_sample.csv"
        head_of(csv, PANDAS_MAX_ROWS, pandas_csv)
        outcomes[2].extrapolated_to = n
    for i in range(repeat):
        for outcome in outcomes:
            db = folder / f"{outcome.variant}.duckdb"
            for p in folder.glob(f"{outcome.variant}.duckdb*"):
                p.unlink()
            if outcome.variant == "ivm":
                shutil.copyfile(template, db)
            source = pandas_csv if outcome.variant == "pandas" else csv
            run = run_in_child(outcome.variant, source, db)
            outcome.runs.append(run)
            print(f"  run {i + 1}/{repeat} {LABELS[outcome.variant]}: {run.rows:,} rows in "
                  f"{run.seconds:.2f} s, peak RSS {run.max_rss_mb:,.0f} MB"
                  + (f" ({run.detail})" if run.detail else ""), flush=True)
            for p in folder.glob(f"{outcome.variant}.duckdb*"):
                p.unlink()
    return outcomes, file_note


def _append_results(
    path: Path,
    scale: str,
    n: int,
    repeat: int,
    facts: dict[str, str],
    file_note: str,
    table: list[list[str]],
    verdict_line: str,
) -> None:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "",
        f"## {when}: load, {scale} scale, {repeat} repeat(s)",
        "",
        f"- commit: {git_commit()}",
        f"- machine: nproc {facts['nproc']} ({facts['cpu']}), memory {facts['memory']}, "
        f"{facts['os']}, Python {facts['python']}, {facts['versions']}; {facts['load']}",
        f"- file: {file_note}",
        "",
        format_markdown(table),
        "",
        f"**{verdict_line}**",
        "",
    ]
    if not path.exists():
        lines[0:1] = [_RESULTS_INTRO]
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("\n".join(lines))


_RESULTS_INTRO = """# Benchmark results

Appended by `python -m bench load --scale city|national`. Seconds: median over the repeats
(min-max); rows/s at the median; peak RSS: the largest `ru_maxrss` of the variant's own process
over the repeats (interpreter and libraries included). Target: ivm's load_file reaches at least
0.8 x the rows/s of DuckDB's bare `read_csv` into a table.
"""

