"""Safety-chain coverage: the phases of the chain against dimensions (or partners), with the
number of objectives in each cell and their statuses, so gaps in the chain show."""

from __future__ import annotations

from typing import Any

from core.vocabulary import STATUSES
from indicators.plan import DIMENSIONS, PHASES


def chain_matrix(records: list[dict[str, Any]], by: str = "dimension") -> list[dict[str, Any]]:
    """One cell per phase x dimension (or x partner, owner and contributors alike).

    Each cell: ``phase``, ``column``, ``objectives`` (distinct ids), ``statuses`` (count per
    status over the objective x area records) and ``ids``. Empty cells are included: they are
    the gaps.
    """
    if by not in ("dimension", "partner"):
        raise ValueError("by must be 'dimension' or 'partner'")
    if by == "dimension":
        columns = list(DIMENSIONS)
    else:
        columns = sorted({p for r in records for p in [r["owner"], *r["partners"]] if p})
    cells = {(ph, col): {"phase": ph, "column": col, "ids": set(),
                         "statuses": dict.fromkeys(STATUSES, 0)}
             for ph in PHASES for col in columns}
    for r in records:
        keys = [r.get("dimension") or "andere"] if by == "dimension" else [
            p for p in [r["owner"], *r["partners"]] if p]
        for col in dict.fromkeys(keys):
            cell = cells.get((r["phase"], col))
            if cell is None:
                continue
            cell["ids"].add(r["id"])
            cell["statuses"][r["status"]] += 1
    out = []
    for cell in cells.values():
        ids = sorted(cell.pop("ids"))
        out.append({**cell, "ids": ids, "objectives": len(ids)})
    return out
