"""``docs/indicators.md``, generated from the catalogue: ``python -m indicators.catalog_doc``.

A test fails when the file and the catalogue drift apart.
"""

from __future__ import annotations

import sys
from pathlib import Path

from core.vocabulary import STYLES, value_text
from indicators.catalog import Catalog, load_catalog
from indicators.measures import MEASURES

#: A value each style is shown with in the docs' table of measure kinds.
EXAMPLE = 1234.5678
EXAMPLE_SHARE = 0.23456


def _filters(ind) -> str:
    parts = ind.filter_texts()
    if ind.event:
        parts.append(f"only the days of event `{ind.event}`")
    return "; ".join(parts) or "none"


def render(catalog: Catalog) -> str:
    """The catalogue as Markdown: a table of contents, then one section per indicator."""
    lines = [
        "# Indicator catalogue",
        "",
        "Generated from `indicators/catalog/*.yaml` by `python -m indicators.catalog_doc`; do not",
        "edit by hand. How values, intervals and statuses are computed: [methods.md](methods.md).",
        "",
        "| id | title | source | measure | unit | better |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    inds = sorted(catalog, key=lambda i: i.id)
    for i in inds:
        lines.append(f"| [{i.id}](#{i.id}) | {i.title.nl} | {i.source} | {i.measure} | "
                     f"{i.unit.nl} | {i.direction} |")
    lines += ["", *measure_kinds()]
    for i in inds:
        kind = MEASURES[i.measure]
        lines += ["", f"## {i.id}", "", f"**{i.title.nl}** / {i.title.en}", ""]
        if i.description:
            lines += [i.description.nl, ""]
        lines += [
            f"- source: `{i.source}`; measure: `{i.measure}` ({kind.doc})",
            f"- numerator: {i.numerator.nl} / {i.numerator.en}",
        ]
        if i.denominator:
            lines.append(f"- denominator: {i.denominator.nl} / {i.denominator.en}")
        if i.population:
            lines.append(f"- per {i.factor:,.0f} {i.population.replace('_', ' ')}")
        if i.question:
            counts = f"; counts: {', '.join(i.counts)}" if i.counts else ""
            lines.append(f"- survey question: `{i.question}`{counts}")
        if i.duration:
            norm = f", norm {i.norm:g} {i.duration.unit}" if i.norm is not None else ""
            lines.append(f"- duration: {i.duration.from_} to {i.duration.to} in "
                         f"{i.duration.unit}{norm}")
        if i.where:
            lines.append("- counts the rows where " + "; ".join(
                f"{c} in {', '.join(map(str, v))}" for c, v in i.where.items()))
        lines += [
            f"- filters: {_filters(i)}",
            f"- unit: {i.unit.nl} / {i.unit.en}; {i.direction} is better; objectives use "
            f"period `{i.period}`",
            f"- noise model: {kind.noise or 'none'}; minimum n: {i.min_n}",
        ]
    return "\n".join(lines) + "\n"


def measure_kinds() -> list[str]:
    """The registered measure kinds as a Markdown section: name, what it measures, how its
    values read (the same on every surface), noise model."""
    lines = [
        "## Measure kinds",
        "",
        "Every kind registered with `indicators.measures.measure`; a value of each reads the same",
        "on every screen, in the CLI, the CSV files and the workbooks (`core/vocabulary.py`).",
        "",
        "| kind | label | what it measures | shown as | noise model |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, kind in sorted(MEASURES.items()):
        style = STYLES[kind.style]
        example = EXAMPLE_SHARE if style.percent else round(EXAMPLE) if style.whole else EXAMPLE
        shown = (f"`{value_text(example, kind.style, 'nl')}` / "
                 f"`{value_text(example, kind.style, 'en')}`")
        lines.append(f"| `{name}` | {kind.title('nl')} / {kind.title('en')} | {kind.doc} | "
                     f"{shown} | {kind.noise or 'none'} |")
    return lines


def main() -> int:
    """Write docs/indicators.md (or the path given) from the built-in catalogue."""
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/indicators.md")
    target.write_text(render(load_catalog()), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
