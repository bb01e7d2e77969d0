"""The public chart of an objective (a city service's and the public's view): a suppressed
year is a gap marked x, never drawn as zero, and the legend says what x means."""

from __future__ import annotations

from dashboard.figures_objective import public_figure
from indicators import stored_catalog


def _indicator(demo_city, indicator_id: str):
    con = demo_city[0].connect_read_only()
    try:
        return stored_catalog(con)[indicator_id]
    finally:
        con.close()


def test_a_suppressed_year_is_a_marked_gap_never_a_zero(demo_city):
    ind = _indicator(demo_city, "residential_burglary_rate")
    fig = public_figure([("2019", 14.8), ("2020", None), ("2021", 11.3)], 14.8, 9.6, ind, "nl")
    line = fig.data[0]
    assert list(line.x) == ["2019", "2020", "2021"]
    assert list(line.y) == [14.8, None, 11.3] and line.connectgaps is False
    marks = [a for a in fig.layout.annotations if a.text == "x"]
    assert [m.x for m in marks] == ["2020"]
    names = [t.name for t in fig.data]
    assert "x = afgeschermd (te klein aantal)" in names
    assert any(n.startswith("Doel: 9,6") for n in names)
    assert any(n.startswith("Basiswaarde: 14,8") for n in names)


def test_a_hidden_baseline_and_target_are_not_drawn_and_shares_read_as_percent(demo_city):
    ind = _indicator(demo_city, "avoid_places_share")
    fig = public_figure([("2017", 0.28), ("2020", 0.273)], None, None, ind, "en")
    assert len(fig.data) == 1 and list(fig.data[0].y) == [28.0, 27.3]
    assert fig.layout.yaxis.ticksuffix == " %"
    assert not fig.layout.annotations
