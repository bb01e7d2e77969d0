"""``ivm profile draft`` and ``ivm profile check``: write a source profile for a new supplier's
file, and check one before loading with it."""

from __future__ import annotations

from pathlib import Path

import click

from core.errors import IvmError, Where
from ivm.options import IvmGroup, say


@click.group(cls=IvmGroup)
def profile() -> None:
    """Source profiles: draft one from a sample file, check one (`ivm profiles` lists the
    built-in ones)."""


@profile.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--kind", required=True,
              help="The kind the file holds (a kind `ivm load` takes, but plan and partners).")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Write the profile to this new .yaml file (default: print it).")
@click.option("--name", default=None, help="The profile's name (default: from the file name).")
@click.option("--category", default=None,
              help="The category of every row (a one-type extract): written as a constant.")
def draft(file: str, kind: str, out: str | None, name: str | None,
          category: str | None) -> None:
    """Propose a profile for FILE: columns matched to fields, date formats, decimal convention,
    the category values to map (with the valid ids), the area rule; notes as comments."""
    from etl.profile_draft import draft_profile

    path = Path(file)
    if not path.is_file():
        raise IvmError("no_file", "no such file", Where(file))
    if out is not None and Path(out).suffix not in (".yaml", ".yml"):
        raise IvmError("bad_option", f"--out {out}: a profile is a .yaml file")
    if out is not None and Path(out).exists():
        raise IvmError("file_exists", "exists already; nothing was written", Where(out),
                       hint="choose another --out or remove the file")
    result = draft_profile(path, kind, name=name, category=category)
    if out is None:
        click.echo(result.yaml, nl=False)
        return
    Path(out).write_text(result.yaml, encoding="utf-8")
    say(f"wrote {out}: {len(result.bound)} field(s) matched, {len(result.notes)} note(s) to "
        f"read; then: ivm profile check {out}")


@profile.command()
@click.argument("file")
@click.option("--sample", type=click.Path(dir_okay=False), default=None,
              help="A data file: check that its columns give every required field.")
@click.option("--kind", default=None,
              help="With --sample: the kind the file holds (default: the profile's only kind).")
def check(file: str, sample: str | None, kind: str | None) -> None:
    """Check a profile (a .yaml file or a built-in name): its keys, the fields it maps, the
    category ids, area levels and date formats; one line per problem, exit 1 if any."""
    from etl.profile import load_profile
    from etl.profile_check import check_profile, sample_problems

    prof = load_profile(file)
    problems = check_profile(prof, file)
    if sample is not None and not problems:
        chosen = kind or (next(iter(prof.kinds)) if len(prof.kinds) == 1 else None)
        if chosen is None:
            raise IvmError("bad_option", "--sample needs --kind: the profile maps "
                           + ", ".join(prof.kinds))
        problems = sample_problems(prof, chosen, Path(sample))
    for problem in problems:
        say(problem.one_line(), err=True)
    if problems:
        raise SystemExit(1)
    checked = f"; {sample} gives every required field" if sample else ""
    say(f"{file}: profile '{prof.name}' is fit to load {', '.join(prof.kinds)}{checked}")
