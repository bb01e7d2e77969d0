"""The plan as an Excel workbook: the template holds the plan exactly, loads like the YAML plan,
and a workbook people got wrong is refused with the sheet, Excel row and column of each
problem."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from core.errors import DeclarationError, FileRejected, Where
from core.warehouse import Warehouse
from etl.demo.city import build_city
from etl.demo.plan import plan_document, write_plan
from indicators.plan import PlanFile
from indicators.plan_xlsx import OBJECTIVES_SHEET, write_template
from indicators.plan_xlsx_read import read_plan_xlsx
from ivm.wiring import load_any

#: The example objective of the empty template sits on Excel row 3, below two header rows.
FIRST_ROW = 3


@pytest.fixture(scope="module")
def demo_city(tmp_path_factory: pytest.TempPathFactory):
    return build_city(tmp_path_factory.mktemp("city"), 2011, dt.date(2026, 11, 24),
                      synthetic=True)


@pytest.fixture
def demo_plan(demo_city) -> PlanFile:
    return PlanFile.model_validate(plan_document(demo_city))


def template(tmp_path: Path, name: str = "plan.xlsx", plan: PlanFile | None = None) -> Path:
    path = tmp_path / name
    write_template(path, plan)
    return path


def edited(path: Path, edit) -> Path:
    """The workbook at ``path`` after ``edit(workbook)``, saved as a new file."""
    wb = load_workbook(path)
    edit(wb)
    out = path.with_name("edited-" + path.name)
    wb.save(out)
    return out


def problems_of(path: Path) -> list:
    with pytest.raises(DeclarationError) as err:
        read_plan_xlsx(path)
    return err.value.problems


def query(wh: Warehouse, sql: str) -> list[tuple]:
    con = wh.connect_read_only()
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def stored_objectives(tmp_path: Path, name: str, plan_file: Path) -> list[tuple[str, dict]]:
    """The objectives the real loader stores for ``plan_file`` in a fresh warehouse."""
    wh = Warehouse(tmp_path / f"{name}.duckdb")
    wh.init()
    load_any(wh, "plan", str(plan_file), "canonical", False, {}, refresh=False)
    rows = query(wh, "SELECT objective_id, spec FROM objective ORDER BY objective_id")
    return [(oid, json.loads(spec)) for oid, spec in rows]


# ---------------------------------------------------------------------- the template holds it


def test_the_demo_plan_written_as_a_template_reads_back_equal(tmp_path, demo_plan):
    path = template(tmp_path, plan=demo_plan)
    assert read_plan_xlsx(path) == demo_plan


def test_fields_the_demo_plan_leaves_out_survive_the_round_trip_too(tmp_path):
    plan = PlanFile.model_validate({
        "plan": {"version": "7", "title": "Plan"},
        "objectives": [
            {"id": "A.1", "title": {"nl": "=geen formule"}, "plan": "ZVP", "phase": "nazorg",
             "baseline": {"period": "2024", "value": 0.1234}, "target": {"value": 2.5},
             "direction": "higher", "area_level": "wijk",
             "description": {"nl": "Toelichting, met komma", "en": "Note"}},
            {"id": "B_2", "title": {"nl": "Kaal"}, "plan": "LIVP", "phase": "reactie"},
        ],
    })
    assert read_plan_xlsx(template(tmp_path, plan=plan)) == plan


def test_two_writes_of_the_same_plan_are_byte_identical(tmp_path, demo_plan):
    first = template(tmp_path, "a.xlsx", demo_plan)
    second = template(tmp_path, "b.xlsx", demo_plan)
    assert first.read_bytes() == second.read_bytes()


def test_an_excel_plan_loads_the_same_objectives_as_its_yaml(tmp_path, demo_city, demo_plan):
    yaml_file = tmp_path / "plan.yaml"
    write_plan(demo_city, yaml_file)
    xlsx_file = template(tmp_path, plan=demo_plan)
    from_yaml = stored_objectives(tmp_path, "yaml", yaml_file)
    assert len(from_yaml) == len(demo_plan.objectives)
    assert stored_objectives(tmp_path, "xlsx", xlsx_file) == from_yaml


def test_the_empty_template_is_a_valid_plan_with_one_example_objective(tmp_path):
    plan = read_plan_xlsx(template(tmp_path))
    assert [o.id for o in plan.objectives] == ["PREV-01"]
    assert plan.objectives[0].target.change == pytest.approx(-0.15)


def test_the_template_guides_people_who_fill_it_in(tmp_path):
    wb = load_workbook(template(tmp_path))
    assert wb.sheetnames == ["Plan", "Doelstellingen", "Acties", "Uitleg"]
    ws = wb["Doelstellingen"]
    header = [c.value for c in ws[1]]
    assert header[:17] == [
        "id", "titel_nl", "titel_en", "plan", "fase", "dimensie", "eigenaar", "partners",
        "indicator", "gebieden", "gebiedsniveau", "basisperiode", "basiswaarde", "doelwaarde",
        "doelwijziging", "deadline", "richting",
    ]
    assert [c.value for c in ws[2]][:5] == ["id", "title_nl", "title_en", "plan", "phase"]
    assert ws.freeze_panes == "B3"
    assert ws.column_dimensions["B"].width > ws.column_dimensions["A"].width
    lists = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert '"LIVP,ZVP,both"' in lists
    assert '"proactie,preparatie,preventie,reactie,nazorg"' in lists
    assert '"criminaliteit,overlast,onveiligheidsgevoel,andere"' in lists
    assert '"lower,higher"' in lists
    assert isinstance(ws.cell(FIRST_ROW, 16).value, dt.datetime)  # deadline: a date cell
    explained = {row[1] for row in wb["Uitleg"].iter_rows(values_only=True)}
    assert {"fase", "doelwijziging", "deadline", "versie"} <= explained


# -------------------------------------------------------------- cells as people type them


def test_cells_are_read_the_way_people_type_them(tmp_path):
    def edit(wb):
        ws = wb[OBJECTIVES_SHEET]
        ws.insert_rows(1)
        ws["A1"] = "Doelstellingen van het veiligheidsplan"  # a title row above the header
        ws["E2"] = "FASE"  # headers are matched case-insensitively
        ws.cell(5, 1, "PREV-02")
        ws.cell(5, 2, "Minder fietsdiefstal")
        ws.cell(5, 4, "ZVP")
        ws.cell(5, 5, " Preventie ")
        ws.cell(5, 10, 41002)  # an area code Excel took for a number
        ws.cell(5, 12, "2019")
        ws.cell(5, 13, "12,5")  # decimal comma as text
        ws.cell(5, 15, "-20%")  # a percentage as text
        ws.cell(5, 16, "31/12/2027")  # a date as dd/mm/yyyy text
        ws.cell(7, 1, "PREV-03")  # row 6 stays empty
        ws.cell(7, 2, "Meer adviezen")
        ws.cell(7, 4, "LIVP")
        ws.cell(7, 5, "preventie")
        ws.cell(7, 12, 2019)  # a baseline year typed as a number
        ws.cell(7, 13, 0.25).number_format = "0%"  # a percentage cell
        ws.cell(7, 14, "1.234,5")
        ws.cell(7, 16, dt.datetime(2028, 6, 30))

    plan = read_plan_xlsx(edited(template(tmp_path), edit))
    second, third = plan.objectives[1:]
    assert (second.id, second.phase, second.areas) == ("PREV-02", "preventie", ["41002"])
    assert second.baseline.value == 12.5
    assert second.target.change == pytest.approx(-0.2)
    assert second.deadline == dt.date(2027, 12, 31)
    assert (third.baseline.period, third.baseline.value) == ("2019", 0.25)
    assert (third.target.value, third.target.change) == (1234.5, None)
    assert third.deadline == dt.date(2028, 6, 30)
    assert len(plan.objectives) == 3


# ------------------------------------------------------------------------- nasty workbooks


def test_an_unknown_phase_is_reported_at_its_row_and_column(tmp_path):
    path = edited(template(tmp_path), lambda wb: wb[OBJECTIVES_SHEET].cell(FIRST_ROW, 5,
                                                                           "repressie"))
    [problem] = problems_of(path)
    assert problem.where == Where(str(path), row=FIRST_ROW, column="fase")
    assert "'repressie'" in problem.message and "Doelstellingen" in problem.message


def test_a_missing_required_column_is_named(tmp_path):
    path = edited(template(tmp_path), lambda wb: wb[OBJECTIVES_SHEET].delete_cols(5))
    [problem] = problems_of(path)
    assert problem.code == "missing_column"
    assert problem.where == Where(str(path), row=1, column="fase")


def test_a_formula_cell_is_refused_with_its_cell(tmp_path):
    path = edited(template(tmp_path),
                  lambda wb: wb[OBJECTIVES_SHEET].cell(FIRST_ROW, 16, "=DATE(2025,12,31)"))
    [problem] = problems_of(path)
    assert problem.code == "formula"
    assert problem.where == Where(str(path), row=FIRST_ROW, column="deadline")
    assert f"P{FIRST_ROW}" in problem.message and "=DATE(2025,12,31)" in problem.message


def test_an_empty_workbook_names_the_sheets_it_lacks(tmp_path):
    path = tmp_path / "empty.xlsx"
    Workbook().save(path)
    codes_and_messages = [(p.code, p.message) for p in problems_of(path)]
    assert [c for c, _ in codes_and_messages] == ["missing_sheet", "missing_sheet"]
    assert "'Plan'" in codes_and_messages[0][1]
    assert "'Doelstellingen'" in codes_and_messages[1][1]


def test_a_template_without_objectives_is_refused(tmp_path):
    path = edited(template(tmp_path), lambda wb: wb[OBJECTIVES_SHEET].delete_rows(FIRST_ROW))
    [problem] = problems_of(path)
    assert problem.code == "no_objectives"


def test_every_problem_is_reported_at_once_with_its_excel_row(tmp_path, demo_plan):
    def edit(wb):
        ws = wb[OBJECTIVES_SHEET]
        ws.cell(4, 4, "XYZ")  # plan
        ws.cell(5, 15, "veel")  # doelwijziging
        ws.cell(9, 14, 3)  # doelwaarde next to a doelwijziging
        ws.cell(7, 16, "31/02/2030")  # no such date
        ws.cell(8, 1, ws.cell(3, 1).value)  # a duplicate id
        wb["Plan"]["B3"] = None  # versie

    path = edited(template(tmp_path, plan=demo_plan), edit)
    found = {(p.where.row, p.where.column) for p in problems_of(path)}
    assert found == {
        (3, "versie"), (4, "plan"), (5, "doelwijziging"), (9, "doelwaarde, doelwijziging"),
        (7, "deadline"), (8, "id"),
    }


def test_a_workbook_over_20_mb_is_refused_unopened(tmp_path):
    path = tmp_path / "huge.xlsx"
    with open(path, "wb") as fh:
        fh.truncate(21 * 2**20)
    [problem] = problems_of(path)
    assert problem.code == "file_too_large"


def test_the_loader_rejects_a_bad_workbook_and_stores_nothing(tmp_path):
    path = edited(template(tmp_path), lambda wb: wb[OBJECTIVES_SHEET].cell(FIRST_ROW, 5, "x"))
    wh = Warehouse(tmp_path / "w.duckdb")
    wh.init()
    with pytest.raises(FileRejected) as err:
        load_any(wh, "plan", str(path), "canonical", False, {}, refresh=False)
    assert (err.value.where.row, err.value.where.column) == (FIRST_ROW, "fase")
    assert query(wh, "SELECT count(*) FROM objective") == [(0,)]
