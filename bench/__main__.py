"""Command line of the benchmarks: ``python -m bench load|indicators|refresh|early-warning|
dashboard|profile --scale city|national``, ``python -m bench export`` (the council workbook),
``python -m bench servers`` (two app servers on one PostgreSQL store)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench import dashboard, early_warning, export, indicators, load, profile, refresh, servers


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

    ip = sub.add_parser("indicators", help="every indicator x area level x period: ivmonitor "
                        "vs a hand-written DuckDB query vs pandas groupby")
    ip.add_argument("--scale", choices=indicators.SCALES, default="city",
                    help="demo warehouse built in the work folder (ignored with --db)")
    ip.add_argument("--db", type=Path, default=None,
                    help="an existing demo warehouse to use instead (opened read only)")
    ip.add_argument("--repeat", type=int, default=None,
                    help="timed runs per variant (median reported; default 3, national 1)")
    ip.add_argument("--workdir", type=Path, default=None,
                    help="where the demo warehouse goes, reused when already there "
                    "(default: a temporary folder)")
    ip.add_argument("--keep", action="store_true", help="keep the temporary work folder")
    ip.add_argument("--pandas-every", type=int, default=None,
                    help="run pandas on every k-th municipality and extrapolate "
                    f"(default: as needed to stay under {indicators.PANDAS_MAX_FACTS:,} "
                    "fact rows)")
    ip.add_argument("--memory-limit", default=None,
                    help="DuckDB memory_limit of the warehouse connection in every variant "
                    "(e.g. 8GB; default: DuckDB's, 80%% of RAM)")
    ip.add_argument("--results", type=Path, default=indicators.RESULTS,
                    help="markdown file the results are appended to")
    ip.add_argument("--no-results", action="store_true", help="do not append to the results file")

    iv = sub.add_parser("_indicators_variant", help="internal: run one indicator variant here")
    iv.add_argument("variant", choices=indicators.VARIANTS)
    iv.add_argument("db", type=Path)
    iv.add_argument("--out", type=Path, default=None)
    iv.add_argument("--every", type=int, default=1)
    iv.add_argument("--memory-limit", default=None)

    xp = sub.add_parser("export", help="the council workbook of the city demo (target < 3 s)")
    xp.add_argument("--db", type=Path, default=None,
                    help="an existing demo warehouse (default: the city demo, built in the "
                    "work folder)")
    xp.add_argument("--repeat", type=int, default=5, help="runs per audience (median reported)")
    xp.add_argument("--workdir", type=Path, default=None,
                    help="where the demo warehouse and workbooks go, reused when already there "
                    "(default: a temporary folder)")
    xp.add_argument("--keep", action="store_true", help="keep the temporary work folder")
    xp.add_argument("--results", type=Path, default=export.RESULTS,
                    help="markdown file the results are appended to")
    xp.add_argument("--no-results", action="store_true", help="do not append to the results file")

    xv = sub.add_parser("_export_variant", help="internal: write one workbook in this process")
    xv.add_argument("db", type=Path)
    xv.add_argument("out", type=Path)
    xv.add_argument("audience", choices=export.AUDIENCES)

    rp = sub.add_parser("refresh", help="ivm refresh (values, CompStat, statuses, publish) vs "
                        "the hand-written DuckDB GROUP BY (target <= 2 x at national scale)")
    rp.add_argument("--scale", choices=refresh.SCALES, default="city",
                    help="demo warehouse built in the work folder (ignored with --db)")
    rp.add_argument("--db", type=Path, default=None,
                    help="an existing warehouse (copied for the refresh, read for the query)")
    rp.add_argument("--repeat", type=int, default=1, help="runs per variant (median reported)")
    rp.add_argument("--workdir", type=Path, default=None,
                    help="where the demo warehouse goes, reused when already there")
    rp.add_argument("--memory-limit", default=None,
                    help="DuckDB memory limit of the refresh and the query (e.g. 8GB)")
    rp.add_argument("--results", type=Path, default=refresh.RESULTS,
                    help="markdown file the results are appended to")
    rp.add_argument("--no-results", action="store_true", help="do not append to the results file")

    ep = sub.add_parser("early-warning", help="the early warning over every wijk and category "
                        "vs the bare weekly GROUP BY (target <= 30 s at national scale)")
    ep.add_argument("--scale", choices=early_warning.SCALES, default="city",
                    help="demo warehouse built in the work folder (ignored with --db)")
    ep.add_argument("--db", type=Path, default=None, help="an existing warehouse (read only)")
    ep.add_argument("--repeat", type=int, default=3, help="runs per variant (median reported)")
    ep.add_argument("--workdir", type=Path, default=None,
                    help="where the demo warehouse goes, reused when already there")
    ep.add_argument("--results", type=Path, default=early_warning.RESULTS,
                    help="markdown file the results are appended to")
    ep.add_argument("--no-results", action="store_true", help="do not append to the results file")

    dashboard.add_parser(sub)
    profile.add_parser(sub)
    servers.add_parser(sub)

    vp = sub.add_parser("_variant", help="internal: run one measured variant in this process")
    vp.add_argument("variant", choices=sorted(load.VARIANTS))
    vp.add_argument("csv", type=Path)
    vp.add_argument("db", type=Path)

    args = parser.parse_args(argv)
    if args.command == "_variant":
        load.run_variant_here(args.variant, args.csv, args.db)
        return 0
    if args.command == "_indicators_variant":
        indicators.run_variant_here(args.variant, args.db, args.out, args.every,
                                    args.memory_limit)
        return 0
    if args.command == "_export_variant":
        export.run_variant_here(args.db, args.out, args.audience)
        return 0
    if args.command == "dashboard":
        return dashboard.run(args)
    if args.command == "profile":
        return profile.run(args)
    if args.command == "servers":
        return servers.run(args)
    if args.command == "early-warning":
        return early_warning.run_benchmark(
            scale=args.scale, db=args.db, repeat=max(1, args.repeat), workdir=args.workdir,
            results=None if args.no_results else args.results)
    if args.command == "refresh":
        if args.repeat < 1:
            parser.error("--repeat must be at least 1")
        return refresh.run_benchmark(
            scale=args.scale, db=args.db, repeat=args.repeat, workdir=args.workdir,
            memory=args.memory_limit, results=None if args.no_results else args.results)
    if args.command == "export":
        if args.repeat < 1:
            parser.error("--repeat must be at least 1")
        export.run_benchmark(db=args.db, repeat=args.repeat, workdir=args.workdir,
                             keep=args.keep, results=None if args.no_results else args.results)
        return 0
    if args.command == "indicators":
        repeat = args.repeat if args.repeat is not None else (
            1 if args.scale == "national" and args.db is None else 3)
        if repeat < 1:
            parser.error("--repeat must be at least 1")
        if args.pandas_every is not None and args.pandas_every < 1:
            parser.error("--pandas-every must be at least 1")
        try:
            indicators.run_benchmark(
                scale=args.scale, db=args.db, repeat=repeat, workdir=args.workdir,
                keep=args.keep, results=None if args.no_results else args.results,
                every=args.pandas_every, memory_limit=args.memory_limit,
            )
        except indicators.Disagreement as exc:
            print(f"STOPPED before timing: {exc}", file=sys.stderr)
            return 1
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
