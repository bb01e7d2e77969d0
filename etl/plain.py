"""Which rows of a batch need no text cleaning: a hint computed from Arrow's buffers.

Every field's text is cleaned before it is parsed (:func:`core.sqltext.cleaned`: trimmed,
no-break spaces and tabs read as spaces, empty as NULL). Most rows of a real file hold nothing
to clean, and testing that per value in SQL costs about a third of the check. Here the reader's
batches are looked at as bytes, once per column: a row is *plain* when none of its values holds
a tab or a byte that ends a no-break space in UTF-8 (0xA0 of U+00A0, 0xAF of U+202F), and each
value is empty or starts and ends with a printable ASCII character. Such a value's cleaned text
is the value itself (NULL when empty).

The hint is conservative: a row that holds any other character ending in those bytes ('à' is
C3 A0) is not plain and takes the full cleaning, which is always right.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

#: The column of the staged rows that holds the hint.
PLAIN = "_plain"
#: Bytes whose presence anywhere in a value sends its row to the full cleaning.
_SPECIAL = (0x09, 0xA0, 0xAF)


def plain_rows(columns: Sequence[pa.Array]) -> pa.Array:
    """Per row of ``columns`` (string arrays of equal length): whether every value is its own
    cleaned text (see the module). A column of another type makes every row not plain."""
    n = len(columns[0]) if columns else 0
    ok = np.ones(n, dtype=bool)
    for column in columns:
        if column.type != pa.string():
            ok[:] = False
            break
        _mark(column, ok)
    bits = np.packbits(ok, bitorder="little")
    # from_buffers, not pa.array(numpy): the latter makes pyarrow import pandas
    return pa.Array.from_buffers(pa.bool_(), n, [None, pa.py_buffer(bits)])


def _mark(column: pa.Array, ok: np.ndarray) -> None:
    """Clear ``ok`` for the rows whose value in ``column`` needs cleaning."""
    n = len(column)
    buffers = column.buffers()
    offsets = np.frombuffer(buffers[1], np.int32)[column.offset: column.offset + n + 1]
    if buffers[2] is None or offsets[-1] == offsets[0]:
        return  # every value empty (or NULL)
    data = np.frombuffer(buffers[2], np.uint8)
    starts, ends = offsets[:-1], offsets[1:]
    # every row's first and last byte (an empty value's are another's: it is judged empty)
    first = data.take(starts, mode="clip")
    last = data.take(ends - 1, mode="clip")
    # printable ASCII is 0x21-0x7E: below 0x5E once 0x21 is taken away (uint8 wraps below 0)
    ok &= (((first - 0x21) < 0x5E) & ((last - 0x21) < 0x5E)) | (ends == starts)
    text = data[offsets[0]: offsets[-1]]
    raw = text.tobytes()
    for byte in _SPECIAL:
        if raw.find(bytes([byte])) < 0:
            continue
        at = np.flatnonzero(text == byte) + offsets[0]
        ok[np.searchsorted(offsets, at, side="right") - 1] = False


__all__ = ["PLAIN", "plain_rows"]
