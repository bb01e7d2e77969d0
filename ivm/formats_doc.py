"""The generated parts of ``docs/formats.md``: every key of a source profile, every field of a
plan file and the canonical fields of every kind, rendered from the models that read them
(:class:`etl.profile.Profile`, :class:`indicators.PlanFile`, :data:`etl.kinds.fields.FACT_KINDS`).

Each part sits between markers (``<!-- profile -->`` ... ``<!-- /profile -->``) in the hand-written
document; ``python -m ivm.formats_doc`` renders them anew and a test checks the file is current.
"""

from __future__ import annotations

import datetime as dt
import sys
import types
import typing
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from etl.profile import KINDS, Profile
from etl.profile_check import FIELD_TYPES, kind_fields
from indicators import PlanFile

_TYPE_WORDS = {str: "text", int: "whole number", float: "number", bool: "yes/no",
               dt.date: "date (YYYY-MM-DD)", Any: "any value"}


def type_text(annotation: Any) -> str:
    """A field's type in words: ``text``, ``list of text``, ``one of `a`, `b```, ..."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if annotation in _TYPE_WORDS:
        return _TYPE_WORDS[annotation]
    if origin is Literal:
        return "one of " + ", ".join(f"`{a}`" for a in args)
    if origin in (typing.Union, types.UnionType):
        parts = [a for a in args if a is not type(None)]
        return " or ".join(type_text(a) for a in parts)
    if origin is list:
        return f"list of {type_text(args[0])}"
    if origin is dict:
        return f"mapping of {type_text(args[0])} to {type_text(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping (keys below)"
    return getattr(annotation, "__name__", str(annotation))


def _default(info: Any) -> str:
    if info.is_required():
        return "required"
    value = info.default_factory() if info.default_factory is not None else info.default
    if value is None or value == PydanticUndefined or value in ({}, [], ""):
        return ""
    if isinstance(value, list) and len(value) > 3:
        return f"{len(value)} formats (below)"
    return f"`{value}`"


def _models(annotation: Any) -> list[type[BaseModel]]:
    """The models nested in an annotation (``X | None``, ``list[X]``, ``dict[str, X]``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for a in typing.get_args(annotation) for m in _models(a)]


def model_rows(model: type[BaseModel], prefix: str = "") -> list[tuple[str, str, str, str]]:
    """(key path, type, default, description) of every field of ``model`` and of the models
    nested in it, depth first."""
    rows = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        key = f"{prefix}{name}"
        rows.append((key, type_text(annotation), _default(info), info.description or ""))
        for nested in _models(annotation):
            origin = typing.get_origin(annotation)
            inner = typing.get_args(annotation)
            if origin is dict:
                sub = f"{key}.KIND." if model is Profile and name == "kinds" else f"{key}.KEY."
            elif origin is list or (inner and typing.get_origin(inner[0]) is list):
                sub = f"{key}[]."
            else:
                sub = f"{key}."
            rows += model_rows(nested, sub)
    return rows


def _cell(text: str) -> str:
    """Text for a Markdown table cell (a ``|`` would end the cell)."""
    return text.replace("|", "\\|")


def _table(rows: list[tuple[str, str, str, str]]) -> str:
    lines = ["| key | type | default | what it is |", "| --- | --- | --- | --- |"]
    lines += [f"| `{k}` | {_cell(t)} | {_cell(d)} | {_cell(w)} |" for k, t, d, w in rows]
    return "\n".join(lines)


def render_profile() -> str:
    """Every key of a source profile."""
    formats = ", ".join(f"`{f}`" for f in Profile.model_fields["date_formats"].default_factory())
    return _table(model_rows(Profile)) + f"\n\nThe default date formats, tried in order: {formats}."


def render_plan() -> str:
    """Every field of a plan file."""
    return _table(model_rows(PlanFile))


def render_fields() -> str:
    """The canonical fields of every kind a profile maps: the keys of ``columns:``."""
    lines = ["| kind | field | type | required |", "| --- | --- | --- | --- |"]
    for kind in KINDS:
        for name, ftype, required in kind_fields(kind):
            lines.append(f"| {kind} | `{name}` | {_cell(FIELD_TYPES[ftype])} | "
                         f"{'yes' if required else ''} |")
    return "\n".join(lines)


PARTS = {"profile": render_profile, "plan": render_plan, "fields": render_fields}


def docs_with_parts(text: str) -> str:
    """``text`` (docs/formats.md) with every generated part rendered anew."""
    for name, render in PARTS.items():
        start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = f"{head}{start}\n{render()}\n{end}{tail}"
    return text


def main() -> int:
    """Render the generated parts into docs/formats.md (or the path given)."""
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/formats.md")
    target.write_text(docs_with_parts(target.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
