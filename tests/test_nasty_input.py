"""Nasty input: every bad file has exactly the outcome it must have, and nothing else changes.

Each case loads one file (built by :mod:`tests.nasty.corpus`) into its own copy of a small base
warehouse and expects one of three outcomes:

- **rejected**: the file as a whole is unfit. ``FileRejected`` carries the reason code and a
  message that says what is wrong; the load log records the attempt, and no data table changes
  (checksum over every table in ``DATA_TABLES``).
- **quarantined**: the listed rows (row numbers as a person finds them in the file) are kept back
  with exactly the listed reason codes; every other row loads; the counts add up and match the
  quarantine table and the load log.
- **loaded**: an awkward but valid file loads completely, with the values it means.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from core.errors import FileRejected
from core.warehouse import Warehouse
from core.warehouse.schema import DATA_TABLES
from etl.load import LoadResult, load_file
from tests.nasty import corpus, implausible

Builder = Callable[[Path], Path]


@dataclass(frozen=True)
class Rejected:
    """The whole file is refused with ``code``; the message contains ``says``."""

    code: str
    says: str

    def __str__(self) -> str:
        return f"rejected-{self.code}"


@dataclass(frozen=True)
class Quarantined:
    """Exactly ``rows`` (row number -> reason code(s), comma-separated) are quarantined and
    ``loaded`` rows are loaded."""

    rows: dict[int, str]
    loaded: int

    def __str__(self) -> str:
        return "quarantined-" + "-".join(f"{r}:{c}" for r, c in sorted(self.rows.items()))


@dataclass(frozen=True)
class QuarantinedByReason:
    """For big files: how many rows are quarantined per reason code, and how many load."""

    reasons: dict[str, int]
    loaded: int

    def __str__(self) -> str:
        return "quarantined-" + "-".join(f"{n}x{c}" for c, n in sorted(self.reasons.items()))


@dataclass(frozen=True)
class Loaded:
    """Every one of ``loaded`` rows loads; ``stored`` (SQL with ``?`` for the load id, and the
    rows it must return) checks the values."""

    loaded: int
    stored: tuple[str, list[tuple]] | None = None

    def __str__(self) -> str:
        return f"loads-{self.loaded}"


Outcome = Rejected | Quarantined | QuarantinedByReason | Loaded


@dataclass(frozen=True)
class Case:
    """One nasty file: its kind, how to build it, the profile and the outcome it must have."""

    name: str
    kind: str
    build: Builder
    expect: Outcome
    profile: str | Builder = "canonical"
    env: dict[str, str] = field(default_factory=dict)
    overrides: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.name}->{self.expect}"


def _incidents(columns: str) -> str:
    return f"SELECT {columns} FROM incident WHERE load_id = ? ORDER BY source_id"


_POPULATION = (
    "SELECT area_id, year, inhabitants, households FROM population WHERE load_id = ? "
    "ORDER BY area_id"
)

CASES = [
    # --- encodings -----------------------------------------------------------------------------
    Case(
        "utf8_declared_on_cp1252_file", "incidents", corpus.cp1252_incidents,
        Rejected("wrong_encoding", "is not valid UTF-8, but the profile declares utf-8"),
        profile=corpus.utf8_profile,
    ),
    Case(
        "cp1252_semicolon_decimal_comma_export_detected", "incidents", corpus.cp1252_incidents,
        Loaded(2, (_incidents("source_id, location, longitude, latitude, area_id"), [
            ("E1", "Café De Zwaan, Graanmarkt", 4.0383, 50.9312, "41002W01"),
            ("E2", "Kerkstraat", None, None, "41002W02"),
        ])),
    ),
    Case(
        "cp1252_declared_on_utf8_file", "incidents", corpus.utf8_incidents,
        Quarantined({3: "garbled_text"}, loaded=1), profile=corpus.cp1252_profile,
    ),
    Case(
        "mojibake_double_encoded_utf8", "incidents", corpus.mojibake_location,
        Quarantined({3: "garbled_text"}, loaded=1),
    ),
    Case(
        "mojibake_as_in_statbel_file_and_uppercase_accent", "incidents", corpus.statbel_mojibake,
        Quarantined({2: "garbled_text", 3: "garbled_text"}, loaded=1),
    ),
    Case(
        "latin1_control_character", "incidents", corpus.latin1_control_characters,
        Quarantined({3: "garbled_text"}, loaded=1),
    ),
    Case(
        "excel_unicode_text_utf16", "incidents", corpus.utf16_export,
        Loaded(2, (_incidents("source_id, location"), [
            ("UT1", "Café De Zwaan"), ("UT2", "Zonnestraat"),
        ])),
    ),
    Case("utf8_bom_and_crlf", "incidents", corpus.bom_crlf, Loaded(2)),
    # --- delimiters ----------------------------------------------------------------------------
    Case("semicolon_delimiter", "incidents", corpus.semicolon_delimited, Loaded(2)),
    Case(
        "comma_delimiter", "incidents", corpus.comma_delimited,
        Loaded(2, (_incidents("source_id, location"), [
            ("C1", "Stationsplein"), ("C2", "Zonnestraat 1, bus 2"),
        ])),
    ),
    Case("tab_delimiter_tsv", "incidents", corpus.tab_delimited, Loaded(2)),
    Case(
        "quoted_delimiter_quotes_and_line_break", "incidents", corpus.quoted_newlines,
        Loaded(2, (_incidents("source_id, location"), [
            ("Q1", 'Café "De Zwaan", Graanmarkt\nhoek Kerkstraat'), ("Q2", "Zonnestraat"),
        ])),
    ),
    Case(
        "excel_sep_line_above_header", "incidents", corpus.excel_sep_line,
        Quarantined({4: "invalid_datetime"}, loaded=1),
    ),
    Case(
        "bare_carriage_return_line_endings", "incidents", corpus.old_mac_line_endings,
        Quarantined({3: "invalid_datetime"}, loaded=1),
    ),
    Case(
        "blank_lines_count_in_row_numbers", "incidents", corpus.blank_lines_between_rows,
        Quarantined({5: "invalid_datetime", 6: "too_few_fields", 8: "invalid_datetime"},
                    loaded=1),
    ),
    # --- numbers -------------------------------------------------------------------------------
    Case(
        "decimal_comma_coordinates", "incidents", corpus.decimal_commas,
        Loaded(2, (_incidents("source_id, longitude, latitude, area_id"), [
            ("D1", 4.0383, 50.9312, "41002W01"), ("D2", 4.0712, 50.92, "41002W02"),
        ])),
    ),
    Case(
        "thousands_dots", "population", corpus.thousands_separators,
        Loaded(2, (_POPULATION, [
            ("41002W01", 2023, 1234, 567), ("41002W02", 2023, 10250, 4100),
        ])),
    ),
    Case(
        "thousands_spaces", "population", corpus.space_thousands,
        Loaded(2, (_POPULATION, [
            ("41002W01", 2023, 1234, 567), ("41002W02", 2023, 10250, 4100),
        ])),
    ),
    # --- dates ---------------------------------------------------------------------------------
    Case(
        "three_date_formats", "incidents", corpus.three_date_formats,
        Loaded(3, (_incidents("source_id, occurred_at"), [
            ("F1", dt.datetime(2024, 3, 3, 14, 30)),
            ("F2", dt.datetime(2024, 3, 4)),
            ("F3", dt.datetime(2024, 3, 5)),
        ])),
    ),
    Case(
        "31_february", "incidents", corpus.impossible_date,
        Quarantined({3: "invalid_datetime"}, loaded=1),
    ),
    Case(
        "date_in_2099", "incidents", corpus.future_date,
        Quarantined({3: "future_date"}, loaded=1),
    ),
    Case(
        "two_digit_year", "incidents", corpus.two_digit_year,
        Quarantined({3: "invalid_datetime"}, loaded=1),
    ),
    # --- the shape of the table ----------------------------------------------------------------
    Case("zero_bytes", "incidents", corpus.empty_file, Rejected("empty_file", "(0 bytes)")),
    Case(
        "only_blank_lines", "incidents", corpus.blank_lines_only,
        Rejected("empty_file", "holds no text"),
    ),
    Case(
        "header_only", "incidents", corpus.header_only,
        Rejected("no_rows", "header but no data rows"),
    ),
    Case(
        "column_twice_in_header", "incidents", corpus.duplicated_header,
        Rejected("duplicate_header", "column 'Location' appears twice in the header"),
    ),
    Case(
        "header_repeated_inside_data", "incidents", corpus.repeated_header_line,
        Quarantined({3: "repeated_header"}, loaded=2),
    ),
    Case(
        "same_id_on_two_rows", "incidents", corpus.duplicate_ids,
        Quarantined({2: "duplicate_id", 4: "duplicate_id"}, loaded=1),
    ),
    Case(
        "required_column_missing", "incidents", corpus.missing_column,
        Rejected("missing_column", "missing required column 'category'"),
    ),
    Case(
        "required_value_empty", "incidents", corpus.missing_value,
        Quarantined({3: "missing_value"}, loaded=1),
    ),
    Case("extra_columns", "incidents", corpus.extra_columns, Loaded(1)),
    Case("quotes_and_sql_in_column_names", "incidents", corpus.hostile_column_names, Loaded(1)),
    Case(
        "last_row_cut_off", "incidents", corpus.truncated_file,
        Quarantined({4: "too_few_fields"}, loaded=2),
    ),
    Case(
        "unquoted_delimiter_in_value", "incidents", corpus.too_many_fields,
        Quarantined({2: "too_many_fields"}, loaded=1),
    ),
    Case(
        "field_over_10000_characters", "incidents", corpus.huge_field,
        Quarantined({3: "field_too_long"}, loaded=1),
    ),
    Case(
        "field_over_128_kib_before_cut_off_row", "incidents",
        corpus.huge_field_and_truncated_row,
        Quarantined({3: "field_too_long", 4: "too_few_fields"}, loaded=1),
    ),
    Case(
        "line_longer_than_a_stream_block_keeps_row_numbers", "incidents",
        corpus.line_longer_than_a_stream_block,
        Quarantined({20_002: "field_too_long", 25_002: "too_few_fields",
                     26_003: "invalid_datetime"}, loaded=29_998),
    ),
    # --- not a table at all --------------------------------------------------------------------
    Case(
        "picture_named_csv", "incidents", corpus.binary_as_csv,
        Rejected("binary_file", "binary content (NUL bytes)"),
    ),
    Case(
        "unknown_extension", "incidents", corpus.unknown_extension,
        Rejected("unknown_format", "unknown file type '.pdf'"),
    ),
    Case(
        "old_xls_named_xlsx", "incidents", corpus.old_xls_as_xlsx,
        Rejected("not_xlsx", "not a zip archive"),
    ),
    Case(
        "zip_bomb_named_xlsx", "incidents", corpus.zip_bomb_xlsx,
        Rejected("zip_bomb", "unpacks to 4 MiB, more than the 1 MiB allowed"),
        env={"IVM_MAX_XLSX_MB": "1"},
    ),
    # --- XLSX ----------------------------------------------------------------------------------
    Case(
        "xlsx_numbers_as_text_thousands_dot_ambiguous", "population", corpus.xlsx_numbers_as_text,
        Quarantined({3: "invalid_int"}, loaded=1),
    ),
    Case(
        "xlsx_numbers_as_text_with_decimal_comma_profile", "population",
        corpus.xlsx_numbers_as_text,
        Loaded(2, (_POPULATION, [
            ("41002W01", 2023, 1234, 567), ("41002W02", 2023, 10250, 4100),
        ])),
        profile=corpus.decimal_comma_profile,
    ),
    Case(
        "xlsx_title_row_merged_and_blank_header_cells", "incidents",
        corpus.xlsx_merged_and_blank_header,
        Loaded(2, (_incidents("source_id, location, area_id"), [
            ("XM1", "Stationsplein", "41002W01"), ("XM2", "Zonnestraat", "41002W02"),
        ])),
    ),
    Case(
        "xlsx_formulas_without_values", "incidents", corpus.xlsx_formulas,
        Quarantined({3: "formula_without_value", 4: "formula_without_value"}, loaded=1),
    ),
    # --- areas and categories ------------------------------------------------------------------
    Case(
        "latitude_and_longitude_swapped", "incidents", corpus.swapped_coordinates,
        Quarantined({3: "coordinates_swapped"}, loaded=1),
    ),
    Case(
        "coordinates_outside_every_area", "incidents", corpus.outside_areas,
        Quarantined({3: "outside_areas"}, loaded=1),
    ),
    Case(
        "latitude_95", "incidents", corpus.impossible_coordinates,
        Quarantined({3: "invalid_coordinates"}, loaded=1),
    ),
    Case(
        "unknown_area_code", "incidents", corpus.unknown_area,
        Quarantined({3: "unknown_area"}, loaded=1),
    ),
    Case(
        "unknown_category", "incidents", corpus.unknown_category,
        Quarantined({3: "unknown_category"}, loaded=1),
    ),
    # --- the real thing ------------------------------------------------------------------------
    # Belgium-wide 2024 sectors, Windows-1252, ';', mojibake from the source. The base warehouse
    # knows deelgemeenten 41002A and 41002B only: their 50 + 13 sectors load, every other sector
    # waits for its parent (the garbled Walloon names are all among those). 79 codes such as
    # '1100212MQ' (a digit where the sector pattern of the canonical profile wants a letter) get
    # no level at all.
    Case(
        "real_statbel_sectors_2024_cp1252", "areas", corpus.real_statsec_2024,
        QuarantinedByReason({"unknown_parent": 20229, "unknown_level": 79}, loaded=63),
    ),
]

CASES += [
    # --- numbers that overflow -----------------------------------------------------------------
    Case(
        "survey_weight_10_to_the_400", "survey", implausible.survey_weight_overflow,
        Quarantined({3: "number_overflow"}, loaded=1),
    ),
    Case(
        "activity_quantity_10_to_the_400", "activities", implausible.activity_quantity_overflow,
        Quarantined({3: "number_overflow"}, loaded=1),
    ),
    Case(
        "priority_of_20_digits", "incidents", implausible.priority_20_digits,
        Quarantined({3: "number_overflow"}, loaded=1),
    ),
    Case(
        "population_10_to_the_20", "population", implausible.population_10_to_the_20,
        Quarantined({3: "number_overflow"}, loaded=1),
    ),
    # --- implausible values ----------------------------------------------------------------------
    Case(
        "negative_households", "population", implausible.population_negative_households,
        Quarantined({3: "out_of_range"}, loaded=1),
    ),
    Case(
        "survey_waves_2026_voorjaar_and_1000", "survey", implausible.survey_waves_not_years,
        Quarantined({3: "invalid_wave", 4: "invalid_wave"}, loaded=1),
    ),
    Case(
        "dispatch_a_day_before_the_incident", "incidents", implausible.dispatch_before_incident,
        Quarantined({3: "bad_sequence"}, loaded=1),
    ),
    Case(
        "arrival_a_month_after_the_report", "incidents", implausible.response_of_a_month,
        Quarantined({3: "implausible_duration"}, loaded=1),
    ),
    Case(
        "incidents_of_1000_and_1900", "incidents", implausible.incidents_dated_1000_and_1900,
        Quarantined({3: "implausible_date", 4: "implausible_date"}, loaded=1),
    ),
    Case(
        "nuisance_closed_in_2099", "nuisance", implausible.nuisance_closed_in_2099,
        Quarantined({3: "future_date"}, loaded=1),
    ),
    Case(
        "category_given_is_not_a_category", "incidents", corpus.semicolon_delimited,
        Rejected("unknown_category", "--category 'Burglary' is not a category of incidents "
                 "(did you mean 'residential_burglary'?)"),
        overrides={"category": "Burglary"},
    ),
    # --- decimal convention per column ------------------------------------------------------------
    Case(
        "semicolon_file_with_decimal_points_three_decimals", "incidents",
        implausible.semicolon_file_with_decimal_points,
        Loaded(50, ("SELECT count(*) FILTER (WHERE longitude BETWEEN 4 AND 4.1 "
                    "AND latitude BETWEEN 50.9 AND 50.95) FROM incident WHERE load_id = ?",
                    [(50,)])),
        profile=implausible.police_uk_semicolon_profile,
    ),
    # --- sheets and areas -----------------------------------------------------------------------
    Case(
        "xlsx_hidden_first_sheet_visible_sheet_read", "incidents", implausible.hidden_first_sheet,
        Loaded(2, (_incidents("source_id, category"), [
            ("HS1", "bicycle_theft"), ("HS2", "drugs"),
        ])),
    ),
    Case(
        "areas_empty_point_and_whole_world_geometry", "areas",
        implausible.areas_empty_point_and_world,
        Quarantined({1: "wrong_geometry", 2: "wrong_geometry", 3: "implausible_geometry"},
                    loaded=1),
    ),
    Case(
        "areas_parent_cycle_gemeente_under_its_wijk", "areas", implausible.parent_cycle,
        Quarantined({2: "parent_cycle"}, loaded=1),
    ),
]

REJECTED = [c for c in CASES if isinstance(c.expect, Rejected)]
QUARANTINED = [c for c in CASES if isinstance(c.expect, Quarantined | QuarantinedByReason)]
LOADED = [c for c in CASES if isinstance(c.expect, Loaded)]


# --- the base warehouse ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Aalst, two deelgemeenten, two wijken with polygons and three good incidents."""
    d = tmp_path_factory.mktemp("nasty_base")
    wh = Warehouse(d / "base.duckdb")
    wh.init()
    for kind, build in [
        ("areas", corpus.base_areas_csv),
        ("areas", corpus.base_wijken_geojson),
        ("incidents", corpus.base_incidents_csv),
    ]:
        result = load_file(wh, kind, build(d))
        assert result.counts.quarantined == 0, result.summary()
    return wh.path


@pytest.fixture
def run(base_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Build a case's file, load it into a fresh copy of the base warehouse."""

    def _run(case: Case) -> tuple[Warehouse, Path, Callable[[], LoadResult]]:
        for name, value in case.env.items():
            monkeypatch.setenv(name, value)
        files = tmp_path / "files"
        files.mkdir()
        path = case.build(files)
        if not path.is_file():
            pytest.skip(f"{path} is not here")
        profile = case.profile if isinstance(case.profile, str) else str(case.profile(files))
        wh = Warehouse(tmp_path / "warehouse.duckdb")
        shutil.copy(base_warehouse, wh.path)
        return wh, path, lambda: load_file(wh, case.kind, path, profile=profile,
                                           overrides=case.overrides)

    return _run


def data_checksum(wh: Warehouse) -> str:
    """A digest of every data table (all but the load log), independent of row order."""
    digest = hashlib.sha256()
    con = duckdb.connect(str(wh.path), read_only=True)
    try:
        for table in DATA_TABLES:
            rows = sorted(repr(r) for r in con.execute(f'SELECT * FROM "{table}"').fetchall())
            digest.update(f"{table}:{len(rows)}:{rows}".encode())
    finally:
        con.close()
    return digest.hexdigest()


def _query(wh: Warehouse, sql: str, params: list) -> list[tuple]:
    con = duckdb.connect(str(wh.path), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def _assert_counts_add_up(wh: Warehouse, result: LoadResult) -> None:
    c = result.counts
    assert c.read == c.loaded + c.replaced + c.skipped + c.quarantined, result.summary()
    in_quarantine = _query(
        wh, "SELECT count(*) FROM quarantine WHERE load_id = ?", [result.load_id]
    )[0][0]
    assert in_quarantine == c.quarantined
    logged = _query(
        wh,
        "SELECT outcome, rows_read, rows_loaded, rows_replaced, rows_skipped, rows_quarantined "
        "FROM load_log WHERE load_id = ?",
        [result.load_id],
    )
    assert logged == [("loaded", c.read, c.loaded, c.replaced, c.skipped, c.quarantined)]


# --- the specification ----------------------------------------------------------------------------


@pytest.mark.parametrize("case", REJECTED, ids=[c.id for c in REJECTED])
def test_an_unfit_file_is_rejected_with_its_reason_and_changes_no_data(case: Case, run) -> None:
    wh, path, load = run(case)
    before = data_checksum(wh)

    with pytest.raises(FileRejected) as caught:
        load()

    assert caught.value.code == case.expect.code
    assert case.expect.says in caught.value.message
    assert path.name in caught.value.one_line()
    assert data_checksum(wh) == before
    logged = _query(wh, "SELECT outcome, message FROM load_log ORDER BY load_id DESC LIMIT 1", [])
    assert logged[0][0] == "rejected"
    assert f"[{case.expect.code}]" in logged[0][1]


@pytest.mark.parametrize("case", QUARANTINED, ids=[c.id for c in QUARANTINED])
def test_bad_rows_are_quarantined_with_their_reason_and_the_counts_add_up(
    case: Case, run
) -> None:
    wh, _, load = run(case)

    result = load()

    _assert_counts_add_up(wh, result)
    assert result.counts.loaded == case.expect.loaded
    kept_back = _query(
        wh,
        "SELECT row_number, reason_codes, reasons FROM quarantine WHERE load_id = ? "
        "ORDER BY row_number",
        [result.load_id],
    )
    if isinstance(case.expect, Quarantined):
        found = {row: set(codes.split(",")) for row, codes, _ in kept_back}
        wanted = {row: set(codes.split(",")) for row, codes in case.expect.rows.items()}
        assert found == wanted, kept_back
    else:
        per_reason: dict[str, int] = {}
        for _, codes, _ in kept_back:
            for code in codes.split(","):
                per_reason[code] = per_reason.get(code, 0) + 1
        assert per_reason == case.expect.reasons
    for row, _, reasons in kept_back:
        assert len(reasons) < 1000, f"row {row}: reason text too long"


@pytest.mark.parametrize("case", LOADED, ids=[c.id for c in LOADED])
def test_an_awkward_but_valid_file_loads_every_row_with_its_meaning(case: Case, run) -> None:
    wh, _, load = run(case)

    result = load()

    _assert_counts_add_up(wh, result)
    assert (result.counts.loaded, result.counts.quarantined) == (case.expect.loaded, 0)
    if case.expect.stored is not None:
        sql, rows = case.expect.stored
        assert _query(wh, sql, [result.load_id]) == rows


def test_the_corpus_holds_at_least_25_nasty_files_with_distinct_names() -> None:
    assert len(CASES) >= 25
    assert len({c.name for c in CASES}) == len(CASES)


def test_the_corpus_is_built_the_same_byte_for_byte_every_time(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    for case in CASES:
        if case.build is corpus.real_statsec_2024:
            continue
        a, b = case.build(first), case.build(second)
        assert a.read_bytes() == b.read_bytes(), case.name


def _ivm() -> list[str]:
    script = Path(sys.executable).with_name("ivm")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "ivm"]


def test_the_cli_rejects_an_unfit_file_with_exit_1_and_one_line_naming_file_and_problem(
    base_warehouse: Path, tmp_path: Path
) -> None:
    db = tmp_path / "cli.duckdb"
    shutil.copy(base_warehouse, db)
    before = data_checksum(Warehouse(db))
    path = corpus.binary_as_csv(tmp_path)

    done = subprocess.run(
        [*_ivm(), "load", "incidents", str(path), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert path.name in lines[0]
    assert "[binary_file]" in lines[0] and "NUL bytes" in lines[0]
    assert "Traceback" not in done.stderr
    assert data_checksum(Warehouse(db)) == before
