"""The demo partner register: the city's safety partners as the plan and the accounts name them
(``partnerregister.csv``, UTF-8, ``;``), loaded with ``ivm load partners``.

Columns: ``id`` (what the plan and the accounts write), ``naam`` and ``naam_en``, ``soort``
(politiezone, stadsdienst, externe partner), ``niveau`` (lokaal, provinciaal, Vlaams, federaal)
and ``contact``: a functional mailbox for the reminders, on the reserved ``.example`` domain
(no real address, no person).
"""

from __future__ import annotations

import csv
from pathlib import Path

#: id, naam, naam_en, soort, niveau
PARTNERS = [
    ("politiezone", "Politiezone Aalst", "Aalst police zone", "politiezone", "lokaal"),
    ("preventiedienst", "Preventiedienst", "Crime prevention service", "stadsdienst", "lokaal"),
    ("stedenbouw", "Dienst stedenbouw", "Urban planning department", "stadsdienst", "lokaal"),
    ("huisvestingsmaatschappij", "Sociale huisvestingsmaatschappij", "Social housing company",
     "externe partner", "lokaal"),
    ("jeugdwerk", "Jeugddienst en jeugdwerk", "Youth service and youth work", "stadsdienst",
     "lokaal"),
    ("brandweerzone", "Hulpverleningszone (brandweer)", "Fire and rescue zone",
     "externe partner", "lokaal"),
    ("noodplanning", "Noodplanning", "Emergency planning", "stadsdienst", "lokaal"),
    ("evenementen", "Dienst evenementen", "Events department", "stadsdienst", "lokaal"),
    ("GAS-ambtenaar", "GAS-ambtenaar", "Administrative sanctions officer", "stadsdienst",
     "lokaal"),
    ("sociale-dienst", "Sociale dienst (OCMW)", "Social services (PCSW)", "stadsdienst",
     "lokaal"),
    ("openbare-netheid", "Dienst openbare netheid", "Public cleanliness department",
     "stadsdienst", "lokaal"),
    ("wijkwerking", "Wijkwerking", "Neighbourhood work", "stadsdienst", "lokaal"),
    ("mobiliteitsdienst", "Mobiliteitsdienst", "Mobility department", "stadsdienst", "lokaal"),
    ("CAW", "Centrum Algemeen Welzijnswerk", "Centre for general welfare work",
     "externe partner", "Vlaams"),
    ("provincie", "Provincie Oost-Vlaanderen", "Province of East Flanders", "externe partner",
     "provinciaal"),
    ("federale-politie", "Federale politie", "Federal police", "externe partner", "federaal"),
]


def contact(partner_id: str) -> str:
    """A partner's functional mailbox on the reserved ``.example`` domain."""
    return f"{partner_id.lower()}@aalst.example"


def write_partners(path: Path) -> int:
    """Write the register; return the number of partners."""
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, delimiter=";", lineterminator="\n")
        out.writerow(["id", "naam", "naam_en", "soort", "niveau", "contact"])
        for ident, nl, en, kind, level in PARTNERS:
            out.writerow([ident, nl, en, kind, level, contact(ident)])
    return len(PARTNERS)
