"""Command line of the benchmarks: ``python -m bench load --scale city|national --repeat N``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench import load


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen benchmark; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    lp = sub.add_parser("load", help="incident load: ivm vs DuckDB read_csv vs pandas to_sql")
    lp.add_argument("--scale", choices=sorted(load.SCALES), default="city")
    lp.add_argument("--rows", type=int, default=None,
                    help="rows to generate instead of the scale's (e.g. 2000 for a smoke run)")
    lp.add_argument("--repeat", type=int, default=3, help="runs per variant (median reported)")
    lp.add_argument("--workdir", type=Path, default=None,
                    help="where the CSV and warehouses go (default: a temporary folder)")
    lp.add_argument("--keep", action="store_true", help="keep the work folder afterwards")
    lp.add_argument("--results", type=Path, default=load.RESULTS,
                    help="markdown file the results are appended to")
    lp.add_argument("--no-results", action="store_true", help="do not append to the results file")
    lp.add_argument("--seed", type=int, default=20240601)

    vp = sub.add_parser("_variant", help="internal: run one measured variant in this process")
    vp.add_argument("variant", choices=sorted(load.VARIANTS))
    vp.add_argument("csv", type=Path)
    vp.add_argument("db", type=Path)

    args = parser.parse_args(argv)
    if args.command == "_variant":
        load.run_variant_here(args.variant, args.csv, args.db)
        return 0
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    load.run_benchmark(
        scale=args.scale,
        rows=args.rows,
        repeat=args.repeat,
        workdir=args.workdir,
        keep=args.keep,
        results=None if args.no_results else args.results,
        seed=args.seed,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
