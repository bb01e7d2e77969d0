"""The decimal convention of each number column, decided from all of its values.

A number such as ``53.767`` or ``1.234`` reads as a decimal in one convention and as thousands in
the other. A column's other values usually tell which one its supplier used: ``53.7655`` (four
digits after the point) or ``12,5`` (a comma with two) can only be read one way. The evidence is
counted over every value as the reader's batches pass (Arrow regular expressions, a cheap test
first), and each column gets the convention its values show; a column whose values show none,
or both, keeps the file's default (``,`` in a ``;``-separated file, else ``.``, or what the
profile declares).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

_SIGN = r"^[-+]?"
#: Values only a decimal comma explains: ``12,5``, ``0,7655``, ``1234,567``, ``1.234.567``,
#: ``1.234,5``, ``0,767``.
_COMMA = _SIGN + (
    r"(\d+,(\d{1,2}|\d{4,})|\d{4,},\d{3}|0,\d{3}|\d{1,3}(\.\d{3}){2,}|\d{1,3}(\.\d{3})+,\d+)$"
)
#: Values only a decimal point explains (the same with the roles swapped).
_POINT = _SIGN + (
    r"(\d+\.(\d{1,2}|\d{4,})|\d{4,}\.\d{3}|0\.\d{3}|\d{1,3}(,\d{3}){2,}|\d{1,3}(,\d{3})+\.\d+)$"
)
#: The two patterns for other modules (the profile draft judges sampled values by them).
COMMA_ONLY, POINT_ONLY = _COMMA, _POINT
#: Values read differently by the two conventions: ``1.234`` / ``1,234`` (a decimal or
#: thousands), ``1.234.567``, ``1.234,5`` and their mirror images (valid in one only).
_DIFFERS = _SIGN + r"(\d{1,3}([.,]\d{3})+([.,]\d+)?|\d{4,}[.,]\d{3})$"


@dataclass
class _Counts:
    comma: int = 0
    point: int = 0
    differs: int = 0


@dataclass
class DecimalEvidence:
    """Counts, per watched column (by position in the batches), the values that show a decimal
    comma, a decimal point, and the values the two conventions read differently."""

    columns: dict[str, int]
    default: str = "."
    #: The separator was declared (a profile's ``decimal``): every column has it, unexamined.
    declared: bool = False
    counts: dict[str, _Counts] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.counts = {name: _Counts() for name in self.columns}

    def watch(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """Pass ``batches`` through, counting the evidence of every watched column."""
        for batch in batches:
            self.add(batch)
            yield batch

    def add(self, batch: pa.RecordBatch) -> None:
        """Count the evidence in one batch."""
        if self.declared:
            return
        for name, index in self.columns.items():
            column = batch.column(index)
            if not pc.any(pc.match_substring_regex(column, r"\d[.,]\d")).as_py():
                continue
            text = pc.utf8_trim_whitespace(column)
            c = self.counts[name]
            c.comma += _count(text, _COMMA)
            c.point += _count(text, _POINT)
            c.differs += _count(text, _DIFFERS)

    def decide(self) -> dict[str, str]:
        """The decimal separator of each watched column, from the values counted so far
        (``default`` when they show neither convention, or both)."""
        default = self.default
        out = {}
        for name, c in self.counts.items():
            if c.comma and not c.point:
                out[name] = ","
            elif c.point and not c.comma:
                out[name] = "."
            else:
                out[name] = default
        return out

    def matters(self, decided: dict[str, str], assumed: dict[str, str]) -> bool:
        """Whether reading with ``assumed`` instead of ``decided`` changes a value: some column
        differs in convention and holds a value the two conventions read differently."""
        return any(
            decided[name] != assumed.get(name) and self.counts[name].differs
            for name in self.counts
        )


def _count(text: pa.Array, pattern: str) -> int:
    return int(pc.sum(pc.match_substring_regex(text, pattern)).as_py() or 0)
