"""Loading is idempotent, corrected re-deliveries replace rows by source id, counts add up."""

from __future__ import annotations

import hashlib

import pytest

from etl.inspect import data_checksum, load_log_rows
from etl.load import load_file
from tests.conftest import count

HEADER = "source_id;category;occurred_at;area_code;priority\n"
ROWS = [
    "A1;residential_burglary;03/01/2024 22:10;41002A00-;2\n",
    "A2;bicycle_theft;2024-05-01 14:00:00;41002W02;1\n",
    "A3;vandalism;05-06-2024 03:00;41002A100;\n",
]


def test_the_same_file_twice_adds_nothing_and_says_so(toy_city, write):
    path = write("incidents.csv", HEADER + "".join(ROWS))
    first = load_file(toy_city, "incidents", path)
    assert (first.counts.read, first.counts.loaded, first.counts.quarantined) == (3, 3, 0)
    before = data_checksum(toy_city)

    second = load_file(toy_city, "incidents", path)

    assert second.outcome == "unchanged"
    assert "identical to load" in second.summary()
    assert data_checksum(toy_city) == before
    assert count(toy_city, "SELECT count(*) FROM incident") == 3


def test_rows_already_loaded_from_another_file_are_skipped_not_doubled(toy_city, write):
    load_file(toy_city, "incidents", write("a.csv", HEADER + "".join(ROWS)))
    again = load_file(toy_city, "incidents", write("b.csv", HEADER + "".join(ROWS) + "\n"))
    assert (again.counts.loaded, again.counts.replaced, again.counts.skipped) == (0, 0, 3)
    assert count(toy_city, "SELECT count(*) FROM incident") == 3


def test_a_corrected_redelivery_replaces_rows_by_source_id(toy_city, write):
    load_file(toy_city, "incidents", write("a.csv", HEADER + "".join(ROWS)))
    corrected = ROWS[0].replace("residential_burglary", "theft_from_vehicle")
    result = load_file(
        toy_city, "incidents", write("b.csv", HEADER + corrected + ROWS[1] + "A4;drugs;"
                                     "01/07/2024;41002W03;\n")
    )
    assert (result.counts.loaded, result.counts.replaced, result.counts.skipped) == (1, 1, 1)
    assert count(toy_city, "SELECT count(*) FROM incident") == 4
    assert count(
        toy_city, "SELECT count(*) FROM incident WHERE source_id = 'A1' "
        "AND category = 'theft_from_vehicle'"
    ) == 1
    log = load_log_rows(toy_city)[-1]
    assert (log["rows_loaded"], log["rows_replaced"], log["rows_skipped"]) == (1, 1, 1)


def test_files_without_ids_get_stable_ids_so_reloading_adds_nothing(toy_city, write):
    body = (
        "category,occurred_at,area_code\n"
        "bicycle_theft,2024-01-01,41002W01\n"
        "bicycle_theft,2024-01-01,41002W01\n"
    )
    load_file(toy_city, "incidents", write("a.csv", body))
    again = load_file(toy_city, "incidents", write("a.csv", body + "\n"))
    assert count(toy_city, "SELECT count(*) FROM incident") == 2, "identical rows both count"
    assert (again.counts.loaded, again.counts.skipped) == (0, 2)


def test_every_row_is_loaded_skipped_or_quarantined(toy_city, write):
    rows = HEADER + "".join(ROWS) + "A5;no_such_category;01/01/2024;41002W01;\nA6;drugs\n"
    result = load_file(toy_city, "incidents", write("mixed.csv", rows))
    c = result.counts
    assert c.read == 5
    assert c.read == c.loaded + c.replaced + c.skipped + c.quarantined
    assert count(toy_city, "SELECT count(*) FROM quarantine WHERE load_id = ?",
                 [result.load_id]) == c.quarantined == 2


def test_source_ids_are_unique_in_every_fact_table(toy_city, write):
    load_file(toy_city, "incidents", write("a.csv", HEADER + "".join(ROWS)))
    load_file(toy_city, "incidents", write("b.csv", HEADER + ROWS[0].replace(";2", ";3")))
    assert count(
        toy_city,
        "SELECT count(*) FROM (SELECT source, source_id FROM incident "
        "GROUP BY ALL HAVING count(*) > 1)",
    ) == 0


def test_the_same_file_under_another_name_is_found_out_and_adds_nothing(toy_city, write):
    """A file from a new path is loaded while its sha256 is computed; when that matches an
    earlier load, the write is rolled back and the file applied again knowing it."""
    first = write("incidents.csv", HEADER + "".join(ROWS))
    load_file(toy_city, "incidents", first)
    before = data_checksum(toy_city)

    again = load_file(toy_city, "incidents", write("copy_of_incidents.csv",
                                                  HEADER + "".join(ROWS)))

    assert again.outcome == "unchanged"
    assert data_checksum(toy_city) == before
    digest = hashlib.sha256(first.read_bytes()).hexdigest()
    assert [row["sha256"] for row in load_log_rows(toy_city)[-2:]] == [digest, digest]


def test_the_same_content_through_another_profile_under_another_name_is_not_counted_twice(
    toy_city, write
):
    body = HEADER + "".join(ROWS)
    load_file(toy_city, "incidents", write("incidents.csv", body))
    other = write("other.yaml", "spec: 1\nname: other-export\nkinds:\n  incidents:\n"
                  "    source: other-export\n    area: {code: area_code}\n")

    result = load_file(toy_city, "incidents", write("renamed.csv", body), profile=str(other))

    assert (result.outcome, result.counts.loaded, result.counts.removed) == ("loaded", 3, 3)
    assert any("loaded before as load" in note for note in result.notes)
    assert count(toy_city, "SELECT count(*) FROM incident") == 3
    assert count(toy_city, "SELECT count(DISTINCT source) FROM incident") == 1


def test_a_rejected_file_from_a_new_path_is_logged_with_its_sha256(toy_city, write):
    from core.errors import FileRejected

    path = write("no_dates.csv", "source_id;category;area_code\nA1;drugs;41002W01\n")
    with pytest.raises(FileRejected, match="occurred_at"):
        load_file(toy_city, "incidents", path)
    log = load_log_rows(toy_city)[-1]
    assert log["outcome"] == "rejected"
    assert log["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
