"""A city against its peers: the funnel plot with overdispersed control limits (Spiegelhalter
2005), checked against statsmodels' DerSimonian-Laird estimate and by simulation, read from
stored results and printed by ``ivm peers``."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import stats
from statsmodels.stats.meta_analysis import combine_effects

from indicators.catalog import load_catalog
from indicators.funnel import Unit, funnel, winsorised_phi
from indicators.peers import peer_funnel, peer_ids
from indicators.results import stored_catalog
from ivm.cli import main


def _units(rng: np.random.Generator, count: int, sd: float, theta: float = 0.1) -> list[Unit]:
    n = rng.integers(20_000, 300_000, count).astype(float)
    o = rng.poisson(n * theta * np.exp(rng.normal(0, sd, count)))
    return [Unit(f"m{i}", float(o[i]), n[i]) for i in range(count)]


def test_the_random_effect_is_statsmodels_dersimonian_laird_without_winsorising():
    units = _units(np.random.default_rng(1), 30, 0.15)
    f = funnel(units, winsor=0)
    y = np.array([u.rate for u in units])
    n = np.array([u.exposure for u in units])
    reference = combine_effects(y, f.theta / n, method_re="dl")
    assert f.tau2 == pytest.approx(reference.tau2, rel=1e-9)
    assert f.theta == pytest.approx(sum(u.observed for u in units) / n.sum())


def test_the_dispersion_is_the_mean_square_of_winsorised_z_scores():
    z = np.array([-5.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 9.0])
    lo, hi = np.quantile(z, [0.1, 0.9])
    normal = np.clip(np.random.default_rng(0).standard_normal(2_000_000), *np.quantile(
        np.random.default_rng(0).standard_normal(2_000_000), [0.1, 0.9]))
    assert winsorised_phi(z) == pytest.approx(np.mean(np.clip(z, lo, hi) ** 2)
                                              / np.mean(normal ** 2), rel=2e-3)
    # an outlier moves the winsorised estimate far less than the plain one
    assert winsorised_phi(z) < np.mean(z ** 2) / 2


def test_with_real_differences_between_cities_the_limits_keep_their_promise():
    """Cities differ by 15 % (a random effect) beyond Poisson: Poisson-only limits flag most of
    them; the overdispersed limits flag about 5 % outside 95 %."""
    rng = np.random.default_rng(4)
    outside, poisson_outside, total = 0, 0, 0
    for _ in range(200):
        f = funnel(_units(rng, 40, 0.15))
        outside += sum(b != "inside" for b in f.bands)
        for u in f.units:
            lo, hi = f.theta - 1.96 * np.sqrt(f.theta / u.exposure), \
                f.theta + 1.96 * np.sqrt(f.theta / u.exposure)
            poisson_outside += not lo <= u.rate <= hi
        total += len(f.units)
    print(f"outside 95 %: {outside / total:.1%} with the random effect, "
          f"{poisson_outside / total:.1%} with Poisson limits ({total} cities)")
    assert 0.02 <= outside / total <= 0.09
    assert poisson_outside / total > 0.5


def test_without_differences_no_random_effect_is_added():
    f = funnel(_units(np.random.default_rng(2), 40, 0.0))
    assert f.tau2 < 1e-6
    lo, hi = f.limits(100_000, 0.95)
    q = stats.norm.ppf(0.975)
    assert (hi - lo) / 2 == pytest.approx(q * np.sqrt(f.theta / 100_000 + f.tau2), rel=1e-9)


def _stored_peers(warehouse, codes: list[str], rates: list[float]) -> None:
    """Municipalities with burglaries per inhabitant stored as the refresh stores them."""
    with warehouse.writing() as con:
        for code, rate in zip(codes, rates, strict=True):
            con.execute("INSERT INTO area (area_id, name, level, load_id) VALUES (?, ?, "
                        "'gemeente', 1)", [code, f"Stad {code}"])
            con.execute("INSERT INTO area_population (area_id, year, inhabitants, households) "
                        "VALUES (?, 2025, 80000, 35000)", [code])
            con.execute(
                "INSERT INTO indicator_value (indicator_id, area_id, area_level, period_type, "
                "period, period_start, period_end, complete, n, numerator, value) VALUES "
                "('residential_burglary_count', ?, 'gemeente', 'year', '2025', ?, ?, true, ?, "
                "?, ?)", [code, dt.date(2025, 1, 1), dt.date(2025, 12, 31), int(rate * 80),
                          rate * 80, rate * 80])
        ind = load_catalog().indicators["residential_burglary_count"]
        con.execute("INSERT INTO indicator VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')",
                    [ind.id, ind.title.nl, ind.title.en, ind.unit.nl, ind.unit.en, ind.source,
                     ind.measure, ind.direction, ind.period, ind.min_n,
                     ind.model_dump_json(by_alias=True, exclude_none=True)])


def test_the_centrumsteden_are_the_default_group_and_the_outlier_is_named(warehouse):
    codes = ["41002", "44021", "12025", "31005", "24062", "11002", "34022", "35013", "99999"]
    _stored_peers(warehouse, codes, [10.0, 10.5, 9.8, 10.2, 30.0, 10.1, 9.9, 10.3, 10.0])
    con = warehouse.connect_read_only()
    try:
        assert peer_ids(con, "centrumsteden") == ("centrumsteden", sorted(codes[:-1]))
        assert peer_ids(con, "all")[1] == sorted(codes)
        ind = stored_catalog(con)["residential_burglary_count"]
        found = peer_funnel(con, ind, "2025", "centrumsteden")
        bands = {r["area_id"]: r["band"] for r in found.rows()}
        assert bands["24062"] == "high" and bands["41002"] == "inside"
        assert peer_funnel(con, ind, "2024", "centrumsteden") is None  # no such year
    finally:
        con.close()
    out = CliRunner().invoke(main, ["peers", "residential_burglary_count", "--db",
                                    str(warehouse.path), "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["year"] == "2025" and data["group"] == "centrumsteden"
    assert data["municipalities"][0]["area_id"] == "24062"


def test_the_areas_page_says_it_in_one_sentence_with_the_plot_one_click_away(warehouse):
    from dashboard.data import DashboardData
    from dashboard.peers_content import peers_section

    codes = ["41002", "44021", "12025", "31005", "24062", "11002", "34022", "35013"]
    _stored_peers(warehouse, codes, [10.0, 10.5, 9.8, 10.2, 30.0, 10.1, 9.9, 10.3])
    with warehouse.writing() as con:
        con.execute("INSERT INTO refresh_log VALUES (1, DATE '2026-01-31', now(), now(), '', "
                    "NULL, 1, 8, 0, NULL)")
    data = DashboardData(warehouse)
    title, sentence, details = peers_section(data, "residential_burglary_count", "2025",
                                             "41002", "nl")
    assert sentence.children.startswith("Stad 41002: 10,0 per 1.000 inwoners in 2025, zoals "
                                        "de andere steden (de 13 centrumsteden:")
    graph, grid = details.children[1], details.children[2]
    assert {t.uid for t in graph.figure.data} >= {"limit95-hi", "limit998-hi", "mean", "city"}
    assert grid.id == "areas-peers-table" and len(grid.children[1].children) == 8
    english = peers_section(data, "residential_burglary_count", "2025", "24062", "en")[1]
    assert "clearly higher than the other cities" in english.children
    none = peers_section(data, "unsafe_feeling_share", "2025", "41002", "nl")[1]
    assert none.children.startswith("Geen vergelijking")
