"""Save an openpyxl workbook reproducibly: the same content gives the same bytes."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def save_reproducible(wb: Workbook, path: Path, stamp: dt.datetime) -> None:
    """Save ``wb`` with its document dates set to ``stamp`` and every zip entry dated 1980."""
    wb.properties.created = stamp
    wb.properties.modified = stamp
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(_fixed_zip(buffer.getvalue(), stamp))


def _fixed_zip(data: bytes, stamp: dt.datetime) -> bytes:
    """The workbook with fixed dates: core properties modified at ``stamp``, zip entries 1980."""
    text = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + text.encode() + rb"\g<2>", body)
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, body)
    return out.getvalue()
