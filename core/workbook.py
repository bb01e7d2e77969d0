"""Save an openpyxl workbook reproducibly: the same content gives the same bytes."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import zipfile
from pathlib import Path

from openpyxl import Workbook

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def save_reproducible(wb: Workbook, path: Path, stamp: dt.datetime) -> None:
    """Save ``wb`` with its document dates set to ``stamp`` and every zip entry dated 1980.

    The workbook is saved to a temporary file first and copied part by part (streaming), so a
    large write-only workbook never sits in memory whole.
    """
    wb.properties.created = stamp
    wb.properties.modified = stamp
    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        raw = Path(tmp) / "raw.xlsx"
        wb.save(raw)
        _fix_zip(raw, path, stamp)


def _fix_zip(src: Path, dst: Path, stamp: dt.datetime) -> None:
    """Copy the workbook with fixed dates (core properties modified at ``stamp``, zip entries
    1980), part by part."""
    text = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            if info.filename == "docProps/core.xml":
                body = zin.read(info.filename)
                start = body.find(b">", body.find(b"<dcterms:modified")) + 1
                end = body.find(b"</dcterms:modified>")
                zout.writestr(entry, body[:start] + text + body[end:] if start and end > 0
                              else body)
                continue
            with zin.open(info) as part, zout.open(entry, "w") as out:
                shutil.copyfileobj(part, out, 1 << 20)
