"""`ivm demo`: the demo city goes in through the front door (ivm load, strict), is
reproducible from its seed, and is skipped when already loaded and unchanged."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from etl.demo import generate
from etl.demo.city import AALST_2020, build_city
from ivm.demo import run_demo
from tests.conftest import count

AS_OF = dt.date(2026, 11, 24)


def _digests(folder) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir()) if p.suffix in (".csv", ".yaml", ".geojson", ".xlsx")
    }


def test_the_same_seed_gives_byte_identical_source_files(tmp_path):
    generate(tmp_path / "a", seed=5, as_of=AS_OF)
    generate(tmp_path / "b", seed=5, as_of=AS_OF)
    generate(tmp_path / "c", seed=6, as_of=AS_OF)
    a, b, c = (_digests(tmp_path / x) for x in "abc")
    assert a == b
    assert a != c


def test_ten_complete_years_up_to_last_month(tmp_path):
    city = build_city(tmp_path, 1, AS_OF)
    assert (city.start, city.end) == (dt.date(2016, 11, 1), dt.date(2026, 10, 31))


@pytest.mark.parametrize("synthetic", [False, True], ids=["aalst", "synthetic"])
def test_population_sums_to_aalst_2020_with_households(tmp_path, synthetic):
    city = build_city(tmp_path, 1, AS_OF, synthetic=synthetic)
    pop = city.population(2020)
    assert sum(p for p, _ in pop.values()) == AALST_2020
    assert all(0 < h < p for p, h in pop.values() if p > 10)
    assert sum(p for p, _ in city.population(2025).values()) > AALST_2020


@pytest.fixture
def demo(demo_city):
    return demo_city


def test_the_demo_loads_without_a_single_quarantined_row(demo):
    wh, _, lines = demo
    assert count(wh, "SELECT count(*) FROM quarantine") == 0
    assert count(wh, "SELECT count(*) FROM load_log WHERE outcome <> 'loaded'") == 0
    assert any("demo city:" in line for line in lines)


def test_the_demo_has_every_area_level_and_the_project_area(demo):
    wh, _, _ = demo
    levels = dict(wh.connect_read_only().execute(
        "SELECT level, count(*) FROM area GROUP BY level").fetchall())
    assert levels["wijk"] == 16 and levels["sector"] == 134 and levels["project"] == 3
    assert count(wh, "SELECT count(*) FROM area_link WHERE parent_id = '41002P01'") == 2


def test_the_plan_has_objectives_in_every_phase(demo):
    wh, _, _ = demo
    phases = {r[0] for r in wh.connect_read_only().execute(
        "SELECT DISTINCT phase FROM objective").fetchall()}
    assert phases == {"proactie", "preparatie", "preventie", "reactie", "nazorg"}
    assert count(wh, "SELECT count(*) FROM objective") >= 25


def test_a_second_run_is_skipped_when_nothing_changed(demo):
    wh, folder, _ = demo
    before = count(wh, "SELECT count(*) FROM load_log")
    lines: list[str] = []
    run_demo(wh, folder / "src", 2011, AS_OF, False, False, lines.append)
    assert lines == [f"demo already loaded and unchanged: {folder / 'src'} -> {wh.path}"]
    assert count(wh, "SELECT count(*) FROM load_log") == before
