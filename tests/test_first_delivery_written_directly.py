"""A source's first delivery is written straight into its fact table (etl.direct), and stores
exactly what the usual load (check into ``checked``, then merge) stores: the same rows and row
hashes, the same quarantine, counts and period. A file the direct write cannot take (an id
twice, a good row without an id, too many rows set aside) is rolled back and loaded the usual
way; a later delivery of the source is merged as always."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pyarrow as pa
import pytest

import etl.direct
import etl.facts
import etl.load
from core.warehouse import Warehouse
from core.warehouse.store import WRITE_ROW_GROUP_SIZE
from etl.direct import DirectWrite
from etl.load import load_file
from tests.conftest import query

HEADER = "source_id;category;occurred_at;reported_at;priority;area_code;location\r\n"
GOOD = [
    "A1;residential_burglary;03/01/2024 22:10;03/01/2024 22:40;2;41002A00-;Grote Markt 1",
    "A2;bicycle_theft;04/01/2024 14:00;;1;41002w02;Hélène Dutrieustraat 4",
    'A3;vandalism;05/01/2024 03:00;05/01/2024 03:05;;41002A100;"Café Ça Va; terras"',
    " A4 ;drugs; 06/01/2024 10:00 ;;3; 41002W03 ;Kerkstraat\t5",
    "A5;fraud;31/01/2024 23:59;;5;41002A011;",
]
FAILING = [
    "B1;stolen_moon;07/01/2024 10:00;;2;41002W01;unknown category",
    "B2;drugs;32/01/2024 10:00;;2;41002W01;invalid date",
    "B3;drugs;08/01/2024 10:00;;2;99999X99;unknown area",
    "B4;drugs;09/01/2024 10:00;;7;41002W01;priority out of range",
    "B5;drugs;09/01/2124 10:00;;2;41002W01;in the future",
    "source_id;category;occurred_at;reported_at;priority;area_code;location",
    "B6;drugs;10/01/2024 10:00",  # too few fields: the reader quarantines it
]


def _file(folder: Path, name: str, lines: list[str]) -> Path:
    path = folder / name
    path.write_bytes((HEADER + "\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


def _stored(wh: Warehouse, load_id: int) -> dict:
    """Everything a load leaves: fact rows (with hashes), quarantine rows, the load's log."""
    return {
        "incident": query(wh, "SELECT * EXCLUDE (load_id) FROM incident "
                              "ORDER BY source, source_id"),
        "quarantine": query(wh, "SELECT row_number, raw, reason_codes, reasons FROM quarantine "
                                "WHERE load_id = ? ORDER BY row_number", [load_id]),
        "log": query(wh, "SELECT rows_read, rows_loaded, rows_replaced, rows_skipped, "
                         "rows_quarantined, rows_removed, period_start, cutoff_date, outcome, "
                         "message FROM load_log WHERE load_id = ?", [load_id]),
    }


@pytest.fixture
def writes(monkeypatch) -> list[int | None]:
    """What each direct write returned (rows, or None: loaded the usual way instead)."""
    results: list[int | None] = []
    real = DirectWrite.write

    def spy(self, con, checked):
        results.append(real(self, con, checked))
        return results[-1]

    monkeypatch.setattr(DirectWrite, "write", spy)
    return results


def _both_ways(
    toy_city: Warehouse, path: Path, monkeypatch, profile: str = "canonical"
) -> tuple[dict, dict]:
    """Load ``path`` as a first delivery into the toy city directly where it can, and into a
    copy of the city the usual way; what each stored."""
    usual = Warehouse(toy_city.path.with_name("usual.duckdb"))
    shutil.copyfile(toy_city.path, usual.path)
    direct = load_file(toy_city, "incidents", path, profile=profile)
    with monkeypatch.context() as m:
        m.setattr(etl.facts, "nothing_stored", lambda *args: False)
        merged = load_file(usual, "incidents", path, profile=profile)
    assert direct.load_id == merged.load_id
    return _stored(toy_city, direct.load_id), _stored(usual, merged.load_id)


def test_a_first_delivery_goes_straight_in_and_stores_what_the_usual_load_stores(
    toy_city, tmp_path, monkeypatch, writes
):
    path = _file(tmp_path, "incidents.csv", GOOD + FAILING)
    direct, usual = _both_ways(toy_city, path, monkeypatch)
    assert writes == [len(GOOD) + len(FAILING) - 1]  # the malformed row never reaches DuckDB
    assert direct == usual
    assert len(direct["incident"]) == len(GOOD)
    assert [row[0] for row in direct["quarantine"]] == [7, 8, 9, 10, 11, 12, 13]
    read, loaded, replaced, skipped, quarantined, *_ = direct["log"][0]
    assert (read, loaded, replaced, skipped, quarantined) == (12, 5, 0, 0, 7)


def test_an_id_twice_in_the_file_is_loaded_the_usual_way(
    toy_city, tmp_path, monkeypatch, writes
):
    twice = [*GOOD, "A1;drugs;11/01/2024 10:00;;2;41002W01;the same id again"]
    direct, usual = _both_ways(toy_city, _file(tmp_path, "twice.csv", twice), monkeypatch)
    assert writes == [None]
    assert direct == usual
    assert [row[2] for row in direct["quarantine"]] == ["duplicate_id", "duplicate_id"]
    assert len(direct["incident"]) == len(GOOD) - 1


def test_a_good_row_without_an_id_is_loaded_the_usual_way_with_a_content_id(
    toy_city, tmp_path, monkeypatch, writes
):
    lines = [*GOOD, ";drugs;12/01/2024 10:00;;2;41002W01;no id"]
    direct, usual = _both_ways(toy_city, _file(tmp_path, "noid.csv", lines), monkeypatch)
    assert writes == [None]
    assert direct == usual
    assert any("#" in row[1] for row in direct["incident"])


def test_more_rows_set_aside_than_memory_allows_for_are_loaded_the_usual_way(
    toy_city, tmp_path, monkeypatch, writes
):
    monkeypatch.setattr(etl.direct, "SET_ASIDE_MAX", 3)
    path = _file(tmp_path, "many_bad.csv", GOOD + FAILING)
    direct, usual = _both_ways(toy_city, path, monkeypatch)
    assert writes == [None]
    assert direct == usual
    assert len(direct["quarantine"]) == 7


def test_a_write_rolled_back_can_be_written_again_on_the_same_connection(
    toy_city, tmp_path, monkeypatch, writes
):
    """A file that overflows the set-aside, loaded again under another name: its load is
    rolled back once it is found to be the same content, and written again (the set-aside
    function of the rolled-back write is gone from DuckDB, not from the connection)."""
    monkeypatch.setattr(etl.direct, "SET_ASIDE_MAX", 3)
    body = FAILING[:5]
    load_file(toy_city, "incidents", _file(tmp_path, "a.csv", body))
    again = load_file(toy_city, "incidents", _file(tmp_path, "b.csv", body))
    assert (again.outcome, again.counts.quarantined) == ("loaded", 5)
    assert writes == [None, None, None]


def test_skipped_rows_are_counted_and_stored_nowhere(toy_city, tmp_path, monkeypatch, writes):
    profile = tmp_path / "skips.yaml"
    profile.write_text(
        "spec: 1\nname: skips\ndate_formats: ['%d/%m/%Y %H:%M']\nkinds:\n  incidents:\n"
        "    source: incidents\n    area: {code: area_code, unknown: skip}\n"
        "    categories: {elders: _skip}\n", encoding="utf-8")
    lines = [*GOOD, "S1;elders;07/01/2024 10:00;;2;41002W01;another kind",
             "S2;drugs;07/01/2024 10:00;;2;99999X99;elsewhere", *FAILING[:2]]
    direct, usual = _both_ways(toy_city, _file(tmp_path, "skips.csv", lines), monkeypatch,
                               profile=str(profile))
    assert writes == [len(lines)]
    assert direct == usual
    read, loaded, _replaced, skipped, quarantined, *_ = direct["log"][0]
    assert (read, loaded, skipped, quarantined) == (len(lines), len(GOOD), 2, 2)


def test_skipped_rows_do_not_count_towards_the_set_aside(toy_city, tmp_path, monkeypatch,
                                                          writes):
    monkeypatch.setattr(etl.direct, "SET_ASIDE_MAX", 3)
    profile = tmp_path / "skips.yaml"
    profile.write_text(
        "spec: 1\nname: skips\nkinds:\n  incidents:\n    source: incidents\n"
        "    area: {code: area_code, unknown: skip}\n", encoding="utf-8")
    elsewhere = [f"E{i};drugs;07/01/2024 10:00;;2;99999X99;elsewhere" for i in range(10)]
    result = load_file(toy_city, "incidents", _file(tmp_path, "region.csv", GOOD + elsewhere),
                       profile=str(profile))
    assert writes == [len(GOOD) + 10]
    assert (result.counts.loaded, result.counts.skipped) == (len(GOOD), 10)


def test_a_strict_first_delivery_with_a_failing_row_leaves_nothing(toy_city, tmp_path, writes):
    from core.errors import FileRejected

    with pytest.raises(FileRejected, match="failed validation"):
        load_file(toy_city, "incidents", _file(tmp_path, "strict.csv", GOOD + FAILING[:1]),
                  strict=True)
    assert writes == [len(GOOD) + 1]
    assert query(toy_city, "SELECT count(*) FROM incident") == [(0,)]
    assert query(toy_city, "SELECT count(*) FROM quarantine") == [(0,)]


def test_a_later_delivery_of_the_source_is_merged(toy_city, tmp_path, writes):
    load_file(toy_city, "incidents", _file(tmp_path, "first.csv", GOOD))
    corrected = [GOOD[0].replace("residential_burglary", "robbery"), *GOOD[1:],
                 "A6;drugs;13/01/2024 10:00;;2;41002W01;new"]
    result = load_file(toy_city, "incidents", _file(tmp_path, "second.csv", corrected))
    assert writes == [len(GOOD)]  # only the first delivery was written directly
    c = result.counts
    assert (c.loaded, c.replaced, c.skipped) == (1, 1, len(GOOD) - 1)
    assert query(toy_city, "SELECT category FROM incident WHERE source_id = 'A1'") == [
        ("robbery",)]


def _watched(*batches: list[str]) -> bool:
    """Whether DirectWrite.see finds the ids of ``batches`` (in order) rising."""
    direct = DirectWrite(etl.facts.FACT_KINDS["incidents"], "test", 1, "c0")
    for ids in batches:
        direct.see(pa.RecordBatch.from_arrays([pa.array(ids, pa.string())], names=["c0"]))
    return direct.rising


def test_ids_that_rise_through_the_file_need_no_count_of_distinct_ids():
    assert _watched(["A1", "A2", "B0"], ["B1", "C"], [], ["D"])


@pytest.mark.parametrize("batches", [
    (["A1", "A2", "A2"],),  # the same id twice in a batch
    (["A1", "A2"], ["A2", "A3"]),  # ... or over the end of one batch and the start of the next
    (["A2", "A1"],),  # falling
    (["A1", "A2 "],),  # a value the cleaning changes: it may equal another once cleaned
    (["", "A1"],),  # an empty id (a row without an id)
    (["A1", None],),
])
def test_ids_that_do_not_rise_are_counted(batches):
    assert not _watched(*batches)


def test_a_file_whose_ids_rise_is_written_directly_as_the_usual_load_stores_it(
    toy_city, tmp_path, monkeypatch, writes
):
    lines = [GOOD[0], GOOD[1], GOOD[2], GOOD[4].replace("A5", "A4"), *FAILING[:5]]
    direct, usual = _both_ways(toy_city, _file(tmp_path, "rising.csv", lines), monkeypatch)
    assert writes == [len(lines)]
    assert direct == usual


def test_an_id_repeated_further_down_a_file_whose_ids_do_not_rise_is_found(
    toy_city, tmp_path, monkeypatch, writes
):
    lines = [GOOD[1], GOOD[0], GOOD[2], GOOD[2].replace("vandalism", "drugs")]
    direct, usual = _both_ways(toy_city, _file(tmp_path, "again.csv", lines), monkeypatch)
    assert writes == [None]
    assert direct == usual
    assert [row[2] for row in direct["quarantine"]] == ["duplicate_id", "duplicate_id"]


def test_a_first_delivery_is_stored_in_row_groups_of_the_writers_size(toy_city, tmp_path, writes):
    # each of the two threads fills row groups of WRITE_ROW_GROUP_SIZE while the file is read,
    # rather than leaving all of a city's rows to one thread after the read
    n = WRITE_ROW_GROUP_SIZE * 2 + 1000
    lines = [f"R{i:07d};drugs;03/01/2024 22:10;;2;41002W01;" for i in range(n)]
    load_file(toy_city, "incidents", _file(tmp_path, "large.csv", lines))
    assert writes == [n]
    groups = query(toy_city, "SELECT row_group_id, max(count) FROM pragma_storage_info("
                             "'incident') GROUP BY ALL ORDER BY ALL")
    assert sum(rows for _, rows in groups) == n
    assert max(rows for _, rows in groups) == WRITE_ROW_GROUP_SIZE


@pytest.fixture
def arrow_pool(monkeypatch):
    """Arrow's default pool taken to be mimalloc; the pool in force restored afterwards."""
    before = pa.default_memory_pool()
    monkeypatch.setattr(etl.load, "_ARROW_DEFAULT", pa.mimalloc_memory_pool())
    yield
    pa.set_memory_pool(before)


def _pool_after_load(toy_city: Warehouse, path: Path, before: pa.MemoryPool) -> str:
    pa.set_memory_pool(before)
    load_file(toy_city, "incidents", path)
    return pa.default_memory_pool().backend_name


def test_a_small_file_is_loaded_with_arrow_memory_from_the_c_library(
    toy_city, tmp_path, arrow_pool
):
    path = _file(tmp_path, "one.csv", GOOD[:1])
    assert _pool_after_load(toy_city, path, pa.mimalloc_memory_pool()) == "system"


def test_a_large_file_is_loaded_with_arrow_memory_from_arrows_default(
    toy_city, tmp_path, monkeypatch, arrow_pool
):
    path = _file(tmp_path, "one.csv", GOOD[:1])
    monkeypatch.setattr(etl.load, "SMALL_FILE_BYTES", path.stat().st_size - 1)
    assert _pool_after_load(toy_city, path, pa.system_memory_pool()) == "mimalloc"


def test_a_gzip_file_is_large_by_what_it_unpacks_to(toy_city, tmp_path, monkeypatch, arrow_pool):
    plain = _file(tmp_path, "many.csv", [f"R{i:05d};drugs;03/01/2024 22:10;;2;41002W01;"
                                         for i in range(2000)])
    packed = tmp_path / "many.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    monkeypatch.setattr(etl.load, "SMALL_FILE_BYTES", packed.stat().st_size * 2)
    assert packed.stat().st_size * 2 < plain.stat().st_size
    assert _pool_after_load(toy_city, packed, pa.system_memory_pool()) == "mimalloc"
