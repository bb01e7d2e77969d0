"""The demo's steering history: what the partners wrote in the last four reporting periods
(owners' updates with their own judgement, actions' states), as plain records that ``ivm demo``
writes through the same code as the dashboard (``access.steering``), each on the day it would
have been written.

- **Who writes**: the owner's own account (``demo-dienst`` for the prevention service,
  ``demo-politiezone``, ``demo-gas``), or the mayor's office (``demo-bestuur``) for the other
  owners, as a coordinator does with updates received by mail.
- **When**: three days before a period's deadline (for the period still open: two days before
  the demo's day).
- **Missing**: the fire and rescue zone skips one closed period; in the open period only the
  prevention service, the police zone and the social services have written so far.
- **Judgements**: the owner's judgement follows the status the data gave at the period's end,
  except once: in the open period the police zone judges an objective that the data put at
  risk or off track to be on course (the disagreement the overview flags).
- **Actions**: started actions become lopend, four are afgerond once due, one is geschrapt,
  one uitgesteld, two stay lopend past their due date (overdue), two are still gepland.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

#: The demo account that writes for an owner partner (role, partner); the others write
#: through the mayor's office.
AUTHORS = {
    "preventiedienst": ("demo-dienst", "dienst"),
    "politiezone": ("demo-politiezone", "dienst"),
    "GAS-ambtenaar": ("demo-gas", "dienst"),
}
COORDINATOR = ("demo-bestuur", "bestuur")
#: Owners that have written their update for the open period.
EARLY = ("preventiedienst", "politiezone", "sociale-dienst")
#: (partner, period index) that skipped a closed period's update.
SKIPPED = {("brandweerzone", 1)}
DONE = {"A-PRO-01-1", "A-PRO-02-1", "A-PREP-02-1", "A-NAZ-01-1"}
CANCELLED = {"A-PREV-08-1": 2}
POSTPONED = {"A-PREV-01-3": 3}

_DONE = [
    "Overleg met de betrokken partners gehouden; de aanpak is bijgestuurd op de cijfers van "
    "het vorige kwartaal.",
    "De acties liepen verder zoals gepland; de registratie van de output is volledig.",
    "Extra inzet in de wijken met de meeste meldingen; resultaten besproken op het "
    "veiligheidsoverleg.",
    "Werkgroep samengekomen, taakverdeling tussen de partners vastgelegd.",
]
_NEXT = [
    "Evaluatie met de partners in het volgende kwartaal.",
    "Bijsturen op basis van de nieuwe cijfers; voorstel aan het college.",
    "Communicatie naar de bewoners en een opvolgmoment in de wijk.",
    "De lopende acties verderzetten en de output blijven registreren.",
]
_REASON = {
    "on_track": "De cijfers en de acties liggen op schema.",
    "at_risk": "Er is vooruitgang, maar trager dan nodig om het doel tijdig te halen.",
    "off_track": "De cijfers gaan de verkeerde kant op; extra maatregelen zijn nodig.",
}
_DISAGREE = ("De nieuwe aanpak loopt pas sinds kort; we verwachten het effect in de volgende "
             "cijfers en zien geen reden tot ongerustheid.")


def author(owner: str | None) -> tuple[str, str, str | None]:
    """The demo account writing for ``owner``: (name, role, partner)."""
    if owner in AUTHORS:
        name, role = AUTHORS[owner]
        return name, role, owner
    return (*COORDINATOR, None)


def writing_day(due: dt.date | None, council: dt.date | None, today: dt.date) -> dt.date:
    """The day a period's updates are written: three days before its deadline, never later
    than two days before ``today``."""
    day = (due or council or today) - dt.timedelta(days=3)
    return min(day, today - dt.timedelta(days=2))


def _judged(status: str | None) -> str:
    return {"achieved": "on_track", "on_track": "on_track", "at_risk": "at_risk",
            "off_track": "off_track"}.get(status or "", "on_track")


def _pick(options: list[str], *keys: str) -> str:
    return options[sum(ord(c) for k in keys for c in k) % len(options)]


def updates(plan: dict, period: dict, index: int, statuses: dict[str, str],
            today: dt.date) -> list[dict[str, Any]]:
    """The owners' updates of one reporting period (``index`` 0-2: closed, 3: open), with the
    status each objective had at the period's end (``statuses``, the worst of its areas)."""
    day = writing_day(period["due"], period["council"], today)
    out = []
    disagreed = False
    for o in plan["objectives"]:
        owner = o.get("owner")
        if (owner, index) in SKIPPED or (index == 3 and owner not in EARLY):
            continue
        judgement = _judged(statuses.get(o["id"]))
        reason = _REASON[judgement]
        if (index == 3 and owner == "politiezone" and not disagreed
                and statuses.get(o["id"]) in ("at_risk", "off_track")):
            judgement, reason, disagreed = "on_track", _DISAGREE, True
        name, role, partner = author(owner)
        minute = len(out) * 7
        out.append({
            "period": period["key"], "objective": o["id"], "author": name, "role": role,
            "partner": partner, "done": _pick(_DONE, o["id"], period["key"]),
            "next": _pick(_NEXT, period["key"], o["id"]), "judgement": judgement,
            "reason": reason, "day": day,
            "at": f"{day.isoformat()}T{9 + minute // 60:02d}:{minute % 60:02d}:00Z",
        })
    return out


def action_changes(plan: dict, period: dict, index: int, states: dict[str, str],
                   today: dt.date) -> list[dict[str, Any]]:
    """The action states changed on a period's writing day; ``states`` (the states so far) is
    updated."""
    day = writing_day(period["due"], period["council"], today)
    owners = {o["id"]: o.get("owner") for o in plan["objectives"]}
    out = []
    for a in plan.get("actions", []):
        start, due = dt.date.fromisoformat(a["start"]), dt.date.fromisoformat(a["due"])
        now = states.get(a["id"], a.get("state", "planned"))
        if a["id"] in CANCELLED and index >= CANCELLED[a["id"]]:
            new = "cancelled"
        elif a["id"] in POSTPONED and index >= POSTPONED[a["id"]]:
            new = "postponed"
        elif a["id"] in DONE and due < day:
            new = "done"
        elif start <= day and now == "planned":
            new = "ongoing"
        else:
            new = now
        if new == now:
            continue
        states[a["id"]] = new
        name, role, partner = author(a.get("owner") or owners.get(a["objective"]))
        note = {"cancelled": "Geschrapt: vervangen door mobiele camera's van de politie.",
                "postponed": "Uitgesteld tot de aanbesteding rond is.",
                "done": "Afgerond en geëvalueerd.", "ongoing": None}.get(new)
        out.append({"action": a["id"], "state": new, "note": note, "author": name,
                    "role": role, "partner": partner, "day": day,
                    "at": f"{day.isoformat()}T08:{len(out) % 60:02d}:00Z"})
    return out


__all__ = ["AUTHORS", "action_changes", "author", "updates", "writing_day"]
