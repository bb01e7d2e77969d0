"""The plan as an Excel workbook: the template to fill in (its sheets and columns, and the writer);
the reader that validates a filled-in one is :mod:`indicators.plan_xlsx_read`.

Many plan owners write their objectives in Excel rather than YAML. :func:`write_template`
writes a workbook with a sheet ``Plan`` (the plan's version, approval and reporting calendar, as
key/value rows), a sheet ``Doelstellingen`` (one row per objective, Dutch headers with the
English names in a second header row, drop-down lists for the fixed choices), a sheet
``Acties`` (the actions under the objectives, laid out the same way) and a sheet ``Uitleg``
explaining each column. :func:`read_plan_xlsx` reads such a workbook into the same mapping a
YAML plan gives and validates it with the same model (:class:`indicators.plan.PlanFile`);
every problem is reported at once with the sheet, the row number Excel shows and the column.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.errors import IvmError
from core.vocabulary import ACTION_STATES as ACTION_STATE_NL
from core.vocabulary import CHANGE, EXCEL_DATE
from core.workbook import save_reproducible
from indicators.plan import (
    ACTION_STATES,
    DIMENSIONS,
    DIRECTIONS,
    FREQUENCIES,
    PHASES,
    PLANS,
    PlanFile,
)

#: Larger workbooks are refused before they are opened.
MAX_BYTES = 20 * 2**20
PLAN_SHEET = "Plan"
OBJECTIVES_SHEET = "Doelstellingen"
ACTIONS_SHEET = "Acties"
HELP_SHEET = "Uitleg"
#: Header rows are looked for among the first rows of a sheet.
HEADER_SCAN = 30
#: Drop-down lists and formats cover the rows down to this one.
_LAST_ROW = 1000
#: Every template is dated the same, so the same plan always gives the same bytes.
_STAMP = dt.datetime(2000, 1, 1)
SPLIT = re.compile(r"[,;\n]")
DATE_TEXT = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class _Column:
    name: str  # the Dutch header
    english: str  # the English name in the second header row
    width: int
    required: bool
    help_nl: str
    example: str


COLUMNS = (
    _Column("id", "id", 12, True,
            "Unieke code van de doelstelling: letters, cijfers, '-', '_' of '.'; begint met een "
            "letter of cijfer.", "PREV-01"),
    _Column("titel_nl", "title_nl", 48, True, "Titel van de doelstelling in het Nederlands.",
            "Minder woninginbraken"),
    _Column("titel_en", "title_en", 40, False, "Titel in het Engels (mag leeg).",
            "Fewer residential burglaries"),
    _Column("plan", "plan", 8, True,
            "In welk plan de doelstelling staat: LIVP (lokaal integraal veiligheidsplan), ZVP "
            "(zonaal veiligheidsplan) of both (beide).", "both"),
    _Column("fase", "phase", 12, True,
            "Fase van de veiligheidsketen: " + ", ".join(PHASES) + ".", "preventie"),
    _Column("dimensie", "dimension", 20, False,
            "Dimensie: " + ", ".join(DIMENSIONS) + " (mag leeg).", "criminaliteit"),
    _Column("eigenaar", "owner", 18, False, "Dienst of partner die trekker is.", "politiezone"),
    _Column("partners", "partners", 28, False,
            "Andere betrokken partners, gescheiden door komma's.", "preventiedienst, jeugdwerk"),
    _Column("indicator", "indicator", 28, False,
            "Code van de indicator uit de indicatorcatalogus die de doelstelling meet.",
            "residential_burglary_rate"),
    _Column("gebieden", "areas", 22, False,
            "Codes van de gebieden (gemeente, deelgemeente, wijk of sector), gescheiden door "
            "komma's.", "41002"),
    _Column("gebiedsniveau", "area_level", 14, False,
            "Niveau waarop de resultaten getoond worden, bv. wijk (mag leeg).", "wijk"),
    _Column("basisperiode", "baseline_period", 14, False,
            "Jaar of periode van de nulmeting, bv. 2019 of 2017-2019. Verplicht als er een "
            "basiswaarde is.", "2017-2019"),
    _Column("basiswaarde", "baseline_value", 13, False,
            "Waarde van de nulmeting als getal; leeg = berekend uit de gegevens.", ""),
    _Column("doelwaarde", "target_value", 12, False,
            "Te bereiken waarde (een getal). Vul doelwaarde of doelwijziging in, niet beide.",
            "0,9"),
    _Column("doelwijziging", "target_change", 14, False,
            "Relatieve wijziging ten opzichte van de basiswaarde: -15% of -0,15 (15 % minder), "
            "50% of 0,5 (50 % meer). Vul doelwaarde of doelwijziging in, niet beide.", "-15%"),
    _Column("deadline", "deadline", 12, False,
            "Datum waarop de doelstelling bereikt moet zijn, als datum of dd/mm/jjjj.",
            "31/12/2025"),
    _Column("richting", "direction", 10, False,
            "Welke kant goed is: lower (lager is beter) of higher (hoger is beter); leeg = "
            "afgeleid van de indicator.", "lower"),
    _Column("beschrijving_nl", "description_nl", 40, False,
            "Toelichting bij de doelstelling in het Nederlands (mag leeg).", ""),
    _Column("beschrijving_en", "description_en", 40, False,
            "Toelichting in het Engels (mag leeg; alleen samen met beschrijving_nl).", ""),
    _Column("tussendoelen", "milestones", 20, False,
            "Streefwaarden per jaar vóór de deadline, zoals het doel (waarde of wijziging): "
            "jaar: getal, gescheiden door ';', bv. 2024: -5%; 2026: -10% (mag leeg).",
            "2024: -5%; 2026: -10%"),
)
BY_NAME = {c.name: c for c in COLUMNS}
ALIASES = {**{c.english: c.name for c in COLUMNS}, **{c.name: c.name for c in COLUMNS}}
#: The columns of the Acties sheet (one row per action under an objective).
ACTION_COLUMNS = (
    _Column("id", "id", 14, True, "Unieke code van de actie.", "A-PREV-01-1"),
    _Column("doelstelling", "objective", 14, True,
            f"Code van de doelstelling (blad '{OBJECTIVES_SHEET}') waaronder de actie valt.",
            "PREV-01"),
    _Column("titel_nl", "title_nl", 44, True, "Titel van de actie in het Nederlands.",
            "Inbraakpreventiecampagne"),
    _Column("titel_en", "title_en", 36, False, "Titel in het Engels (mag leeg).",
            "Burglary prevention campaign"),
    _Column("eigenaar", "owner", 18, False,
            "Partner die de actie trekt (leeg: de eigenaar van de doelstelling).",
            "preventiedienst"),
    _Column("start", "start", 12, False, "Startdatum (datum of dd/mm/jjjj; mag leeg).",
            "01/01/2025"),
    _Column("einddatum", "due", 12, False, "Datum waarop de actie klaar moet zijn.",
            "31/12/2025"),
    _Column("stand", "state", 12, False,
            "Stand bij de goedkeuring: gepland, lopend, afgerond, uitgesteld of geschrapt "
            "(leeg: gepland). Daarna houden de eigenaars de stand bij in het dashboard.",
            "gepland"),
    _Column("output", "outputs", 28, False,
            "Codes van de outputindicatoren die de actie oplevert, gescheiden door komma's.",
            "techno_prevention_visits"),
)
ACTION_BY_NAME = {c.name: c for c in ACTION_COLUMNS}
ACTION_ALIASES = {**{c.english: c.name for c in ACTION_COLUMNS},
                  **{c.name: c.name for c in ACTION_COLUMNS}}
#: Plan sheet keys: (Dutch key, English key, the PlanInfo field (``reporting.x``: a field of
#: its reporting calendar), explanation in Dutch).
PLAN_KEYS = (
    ("versie", "version", "version", "Versie van het plan, uniek per goedgekeurde versie."),
    ("titel", "title", "title", "Titel van het plan."),
    ("goedgekeurd_op", "approved_on", "approved_on",
     "Datum van goedkeuring (datum of dd/mm/jjjj; mag leeg)."),
    ("goedgekeurd_door", "approved_by", "approved_by",
     "Wie het plan goedkeurde, bv. gemeenteraad (mag leeg)."),
    ("rapportering", "reporting", "reporting.frequency",
     "Hoe vaak de eigenaars rapporteren: " + ", ".join(FREQUENCIES) + " (leeg: geen "
     "rapporteringskalender)."),
    ("rapportering_vanaf", "reporting_start", "reporting.start",
     "Eerste dag van de eerste rapporteringsperiode (mag leeg: de periode na de goedkeuring)."),
    ("termijn_dagen", "deadline_days", "reporting.deadline_days",
     "Hoeveel dagen voor de gemeenteraad de updates binnen moeten zijn (leeg: 14)."),
    ("gemeenteraden", "council_dates", "reporting.council_dates",
     "De data van de gemeenteraden die de rapportering krijgen, dd/mm/jjjj, gescheiden door "
     "komma's."),
)
#: Where a model field of an action sits in the Acties sheet.
ACTION_FIELD_COLUMN = {
    ("id",): "id", ("objective",): "doelstelling", ("title",): "titel_nl",
    ("title", "nl"): "titel_nl", ("title", "en"): "titel_en", ("owner",): "eigenaar",
    ("start",): "start", ("due",): "einddatum", ("state",): "stand", ("outputs",): "output",
}
PLAN_ALIASES = {k: nl for nl, en, _, _ in PLAN_KEYS for k in (nl, en)}
#: Where a model field of an objective sits in the sheet.
FIELD_COLUMN = {
    ("id",): "id", ("title",): "titel_nl", ("title", "nl"): "titel_nl",
    ("title", "en"): "titel_en", ("plan",): "plan", ("phase",): "fase",
    ("dimension",): "dimensie", ("owner",): "eigenaar", ("partners",): "partners",
    ("indicator",): "indicator", ("areas",): "gebieden", ("area_level",): "gebiedsniveau",
    ("baseline",): "basisperiode", ("baseline", "period"): "basisperiode",
    ("baseline", "value"): "basiswaarde", ("target",): "doelwaarde, doelwijziging",
    ("target", "value"): "doelwaarde", ("target", "change"): "doelwijziging",
    ("deadline",): "deadline", ("direction",): "richting", ("description",): "beschrijving_nl",
    ("description", "nl"): "beschrijving_nl", ("description", "en"): "beschrijving_en",
}
_EXAMPLE_PLAN = {
    "spec": 1,
    "plan": {"version": "LIVP-2020-2025-v1", "title": "Lokaal integraal veiligheidsplan 2020-2025",
             "approved_on": "2019-12-15", "approved_by": "gemeenteraad"},
    "objectives": [{
        "id": "PREV-01",
        "title": {"nl": "Minder woninginbraken per 1.000 huishoudens",
                  "en": "Fewer residential burglaries per 1,000 households"},
        "plan": "both", "phase": "preventie", "dimension": "criminaliteit",
        "owner": "politiezone", "partners": ["preventiedienst"],
        "indicator": "residential_burglary_rate", "areas": ["41002"],
        "baseline": {"period": "2017-2019", "value": "from_data"},
        "target": {"change": -0.15}, "deadline": "2025-12-31", "direction": "lower",
    }],
}
#: An action's state as the Acties sheet writes it (the Dutch word).
ACTION_STATE_WORDS = {k: ACTION_STATE_NL[k]["nl"] for k in ACTION_STATES}
_BOLD = Font(bold=True)
_ENGLISH = Font(italic=True, color="666666")
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")


# ------------------------------------------------------------------------------------ writing


def write_template(path: str | Path, plan: PlanFile | None = None) -> None:
    """Write the Excel plan template to ``path``: filled from ``plan`` when given (to export a
    loaded plan), else with one example objective. The same plan always gives the same bytes.
    """
    plan = plan or PlanFile.model_validate(_EXAMPLE_PLAN)
    wb = Workbook()
    _plan_sheet(wb.active, plan)
    _objectives_sheet(wb.create_sheet(OBJECTIVES_SHEET), plan)
    _actions_sheet(wb.create_sheet(ACTIONS_SHEET), plan)
    _help_sheet(wb.create_sheet(HELP_SHEET))
    save_reproducible(wb, Path(path), _STAMP)


def _plan_sheet(ws: Any, plan: PlanFile) -> None:
    ws.title = PLAN_SHEET
    _header(ws, 1, ["veld", "waarde", "uitleg"], _BOLD, _HEAD_FILL)
    _header(ws, 2, ["field", "value", "explanation"], _ENGLISH, None)
    info = plan.plan
    for row, (nl, _en, attr, help_nl) in enumerate(PLAN_KEYS, start=3):
        ws.cell(row, 1, nl).font = _BOLD
        value = plan_value(plan, attr)
        if isinstance(value, list):  # the council dates, as dd/mm/yyyy text
            value = ", ".join(f"{d:%d/%m/%Y}" for d in value) or None
        _put(ws.cell(row, 2), value)
        if attr in ("approved_on", "reporting.start"):
            ws.cell(row, 2).number_format = EXCEL_DATE
        ws.cell(row, 3, help_nl)
    del info
    for letter, width in zip("ABC", (18, 48, 60), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A3"


def _objectives_sheet(ws: Any, plan: PlanFile) -> None:
    _header(ws, 1, [c.name for c in COLUMNS], _BOLD, _HEAD_FILL)
    _header(ws, 2, [c.english for c in COLUMNS], _ENGLISH, None)
    for row, objective in enumerate(plan.objectives, start=3):
        values = _objective_row(objective)
        for i, column in enumerate(COLUMNS, start=1):
            _put(ws.cell(row, i), values.get(column.name))
    last = max(_LAST_ROW, len(plan.objectives) + 2)
    for i, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = column.width
        cells = f"{letter}3:{letter}{last}"
        if column.name == "deadline":
            _format(ws, i, last, EXCEL_DATE)
        elif column.name == "doelwijziging":
            _format(ws, i, last, CHANGE.excel())
            for row in range(3, len(plan.objectives) + 3):
                if isinstance(ws.cell(row, i).value, int | float):
                    ws.cell(row, i).number_format = CHANGE.excel(ws.cell(row, i).value)
        choices = {"plan": PLANS, "fase": PHASES, "dimensie": DIMENSIONS,
                   "richting": DIRECTIONS}.get(column.name)
        if choices:
            dv = DataValidation(
                type="list", formula1='"' + ",".join(choices) + '"',
                allow_blank=not column.required, showErrorMessage=True,
                errorTitle=f"Ongeldige {column.name}",
                error="Kies een waarde uit de lijst: " + ", ".join(choices),
            )
            dv.add(cells)
            ws.add_data_validation(dv)
    ws.freeze_panes = "B3"


def plan_value(plan: PlanFile, attr: str) -> Any:
    """The value of a Plan sheet field (``reporting.x``: of the reporting calendar)."""
    if attr.startswith("reporting."):
        reporting = plan.plan.reporting
        return getattr(reporting, attr.split(".", 1)[1]) if reporting else None
    return getattr(plan.plan, attr)


def _actions_sheet(ws: Any, plan: PlanFile) -> None:
    _header(ws, 1, [c.name for c in ACTION_COLUMNS], _BOLD, _HEAD_FILL)
    _header(ws, 2, [c.english for c in ACTION_COLUMNS], _ENGLISH, None)
    for row, a in enumerate(plan.actions, start=3):
        for item in a.outputs:
            if SPLIT.search(item):
                raise IvmError("not_representable", f"action {a.id}: output '{item}' holds a "
                               "separator", hint="keep this plan in YAML")
        values = {"id": a.id, "doelstelling": a.objective, "titel_nl": a.title.nl,
                  "titel_en": a.title.en, "eigenaar": a.owner, "start": a.start,
                  "einddatum": a.due, "stand": ACTION_STATE_WORDS[a.state],
                  "output": ", ".join(a.outputs) or None}
        for i, column in enumerate(ACTION_COLUMNS, start=1):
            _put(ws.cell(row, i), values.get(column.name))
    last = max(_LAST_ROW, len(plan.actions) + 2)
    for i, column in enumerate(ACTION_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = column.width
        if column.name in ("start", "einddatum"):
            _format(ws, i, last, EXCEL_DATE)
    letter = get_column_letter(1 + [c.name for c in ACTION_COLUMNS].index("stand"))
    words = list(ACTION_STATE_WORDS.values())
    dv = DataValidation(type="list", formula1='"' + ",".join(words) + '"', allow_blank=True,
                        showErrorMessage=True, errorTitle="Ongeldige stand",
                        error="Kies een waarde uit de lijst: " + ", ".join(words))
    dv.add(f"{letter}3:{letter}{last}")
    ws.add_data_validation(dv)
    ws.freeze_panes = "B3"


def _objective_row(o: Any) -> dict[str, Any]:
    for name, items in (("partners", o.partners), ("areas", o.areas)):
        for item in items:
            if SPLIT.search(item):
                raise IvmError(
                    "not_representable",
                    f"objective {o.id}: {name} entry '{item}' holds a comma, semicolon or line "
                    "break, which the Excel template uses to separate entries",
                    hint="rename it or keep this plan in YAML",
                )
    baseline, target = o.baseline, o.target
    return {
        "id": o.id,
        "titel_nl": o.title.nl,
        "titel_en": o.title.en,
        "plan": o.plan,
        "fase": o.phase,
        "dimensie": o.dimension,
        "eigenaar": o.owner,
        "partners": ", ".join(o.partners) or None,
        "indicator": o.indicator,
        "gebieden": ", ".join(o.areas) or None,
        "gebiedsniveau": o.area_level,
        "basisperiode": baseline.period if baseline else None,
        "basiswaarde": baseline.value if baseline and baseline.value != "from_data" else None,
        "doelwaarde": target.value if target else None,
        "doelwijziging": target.change if target else None,
        "deadline": o.deadline,
        "tussendoelen": "; ".join(
            f"{m.year}: {m.change if m.change is not None else m.value}"
            for m in o.milestones) or None,
        "richting": o.direction,
        "beschrijving_nl": o.description.nl if o.description else None,
        "beschrijving_en": o.description.en if o.description else None,
    }


def _help_sheet(ws: Any) -> None:
    ws["A1"] = "Uitleg bij het plansjabloon"
    ws["A1"].font = Font(bold=True, size=14)
    intro = [
        f"Blad '{PLAN_SHEET}': de versie en de goedkeuring van het plan, één gegeven per rij "
        "(de naam in kolom A, de waarde in kolom B).",
        f"Blad '{OBJECTIVES_SHEET}': één rij per doelstelling. Laat de twee kopregels staan "
        "(Nederlands, en Engels eronder); lege rijen worden overgeslagen.",
        f"Blad '{ACTIONS_SHEET}': één rij per actie onder een doelstelling (mag leeg), met "
        "dezelfde twee kopregels.",
        "Getallen mogen met een decimale komma (0,9); percentages als 15% of -15%. Datums als "
        "Excel-datum of als tekst dd/mm/jjjj. Gebruik geen formules: vul waarden in.",
        "Inlezen: ivm load plan <bestand>.xlsx. Elke fout wordt gemeld met blad, rij en kolom.",
    ]
    for row, text in enumerate(intro, start=2):
        ws.cell(row, 1, text)
    top = len(intro) + 3
    _header(ws, top, ["blad", "kolom", "verplicht", "uitleg", "voorbeeld"], _BOLD, _HEAD_FILL)
    rows = [(PLAN_SHEET, nl, "ja" if attr in ("version", "title") else "nee", help_nl, "")
            for nl, _en, attr, help_nl in PLAN_KEYS]
    rows += [(OBJECTIVES_SHEET, c.name, "ja" if c.required else "nee", c.help_nl, c.example)
             for c in COLUMNS]
    rows += [(ACTIONS_SHEET, c.name, "ja" if c.required else "nee", c.help_nl, c.example)
             for c in ACTION_COLUMNS]
    for row, values in enumerate(rows, start=top + 1):
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row, col)
            _put(cell, value)
            cell.alignment = _WRAP
    for letter, width in zip("ABCDE", (16, 18, 10, 80, 28), strict=True):
        ws.column_dimensions[letter].width = width


def _header(ws: Any, row: int, names: Sequence[str], font: Font, fill: Any) -> None:
    for col, name in enumerate(names, start=1):
        cell = ws.cell(row, col, name)
        cell.font = font
        if fill is not None:
            cell.fill = fill


def _format(ws: Any, col: int, last: int, number_format: str) -> None:
    for row in range(3, last + 1):
        ws.cell(row, col).number_format = number_format


def _put(cell: Any, value: Any) -> None:
    """Write ``value`` as a plain value (a text starting with '=' stays a text)."""
    if value is None or value == "":
        return
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
