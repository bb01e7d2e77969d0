"""The public audience: small numbers never leak, not even by arithmetic.

The attack tests read the public council workbook as an outsider would, add everything such a
reader knows (population per area and year, the survey's weights, that counts are not negative,
that a wijk's total is the sum of its years and the city the sum of its wijken, that a baseline
is the mean of its years) and try to recover every suppressed figure: by linear algebra (a
figure is determined when its unit vector lies in the row space of the system) and by linear
programming (its smallest and largest possible value coincide). Both must fail for every one.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import defaultdict
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from dashboard.export.council import write_council_workbook
from dashboard.export.figures import council_figures
from dashboard.export.suppress import (
    Group,
    Published,
    Thresholds,
    determined,
    protect,
    small_count,
)
from indicators.catalog import load_catalog
from tests.test_suppression_across_releases import exposed

CATALOG = load_catalog()
MARK = "x"


# -- the pure functions -----------------------------------------------------------------------


def _table(values: list[list[int]]) -> tuple[dict, list[Group], set]:
    """A table with row totals, column totals and a grand total, as cells and groups."""
    cells: dict = {}
    groups = []
    nr, nc = len(values), len(values[0])
    for i in range(nr):
        for j in range(nc):
            cells[("k", f"r{i}", f"c{j}")] = float(values[i][j])
    for i in range(nr):
        cells[("k", f"r{i}", "T")] = float(sum(values[i]))
        groups.append(Group(("k", f"r{i}", "T"), tuple(("k", f"r{i}", f"c{j}")
                                                         for j in range(nc))))
    for j in range(nc):
        cells[("k", "T", f"c{j}")] = float(sum(values[i][j] for i in range(nr)))
        groups.append(Group(("k", "T", f"c{j}"), tuple(("k", f"r{i}", f"c{j}")
                                                        for i in range(nr))))
    cells[("k", "T", "T")] = float(sum(map(sum, values)))
    groups.append(Group(("k", "T", "T"), tuple(("k", f"r{i}", "T") for i in range(nr))))
    groups.append(Group(("k", "T", "T"), tuple(("k", "T", f"c{j}") for j in range(nc))))
    return cells, groups, set(cells)


def test_one_small_cell_gets_a_rectangle_of_four():
    cells, groups, shown = _table([[20, 30, 40], [25, 3, 35], [50, 60, 70]])
    t = Thresholds()
    primary = {c for c, v in cells.items() if small_count(v, t)}
    hidden = protect(cells, shown, primary, groups)
    assert ("k", "r1", "c1") in hidden
    assert len(hidden) == 4  # one small cell, one in its row, one in its column, one corner
    assert not determined(cells, hidden, groups)


def test_a_bridge_between_two_cycles_is_determined():
    """Every row and column has two hidden cells, yet the bridge cell follows from the rest:
    the reason the audit solves the system instead of counting hidden cells per line."""
    vals = [[10, 11, 12, 13], [14, 15, 16, 17], [18, 19, 20, 21], [22, 23, 24, 25]]
    cells, groups, _ = _table(vals)
    cycle_a = {("k", "r0", "c0"), ("k", "r0", "c1"), ("k", "r1", "c0"), ("k", "r1", "c1")}
    cycle_b = {("k", "r2", "c2"), ("k", "r2", "c3"), ("k", "r3", "c2"), ("k", "r3", "c3")}
    bridge = ("k", "r1", "c2")
    found = determined(cells, cycle_a | cycle_b | {bridge}, groups)
    assert found == {bridge}
    assert not determined(cells, cycle_a | cycle_b, groups)


def test_zeros_pin_a_cell_when_counts_cannot_be_negative():
    """x + y = 3 and y + z = 0 with x, y, z hidden: linear algebra leaves x free, but counts
    are not negative, so y = z = 0 and x = 3."""
    cells = {("k", "a", "1"): 3.0, ("k", "b", "1"): 0.0, ("k", "c", "1"): 0.0,
             ("k", "T", "1"): 3.0, ("k", "U", "1"): 0.0}
    groups = [Group(("k", "T", "1"), (("k", "a", "1"), ("k", "b", "1"))),
              Group(("k", "U", "1"), (("k", "b", "1"), ("k", "c", "1")))]
    unknown = {("k", "a", "1"), ("k", "b", "1"), ("k", "c", "1")}
    assert ("k", "a", "1") in determined(cells, unknown, groups)


def test_a_reader_knows_hidden_counts_are_at_least_one():
    """Zeros are shown, so two hidden cells that add up to 2 are both 1."""
    cells = {("k", "a", "1"): 1.0, ("k", "b", "1"): 1.0, ("k", "T", "1"): 2.0}
    groups = [Group(("k", "T", "1"), (("k", "a", "1"), ("k", "b", "1")))]
    unknown = {("k", "a", "1"), ("k", "b", "1")}
    assert not determined(cells, unknown, groups)
    assert determined(cells, unknown, groups, dict.fromkeys(unknown, 1.0)) == unknown


@pytest.mark.parametrize("seed", range(12))
def test_random_tables_are_protected(seed):
    rng = random.Random(seed)
    nr, nc = rng.randint(2, 7), rng.randint(2, 6)
    vals = [[rng.choice([0, 0, 1, 2, 3, 4, 5, 8, 13, 40]) for _ in range(nc)] for _ in range(nr)]
    cells, groups, shown = _table(vals)
    t = Thresholds()
    primary = {c for c, v in cells.items() if small_count(v, t)}
    hidden = protect(cells, shown, primary, groups)
    assert primary <= hidden
    floor = {c: 1.0 for c in hidden if cells[c] >= 1}
    assert not determined(cells, hidden, groups, floor)
    assert not _lp_recovered(cells, hidden, groups)


def _lp_recovered(cells: dict, hidden: set, groups: list[Group]) -> set:
    """Hidden cells whose smallest and largest value coincide (hidden counts are at least 1
    when no zero is hidden, else at least 0)."""
    from scipy.optimize import linprog

    unknown = sorted(hidden)
    idx = {c: i for i, c in enumerate(unknown)}
    rows, rhs = [], []
    for g in groups:
        coefs = g.coefficients()
        if not any(c in idx for c, _ in coefs):
            continue
        row = np.zeros(len(unknown))
        b = 0.0
        for c, w in coefs:
            if c in idx:
                row[idx[c]] += w
            else:
                b -= w * cells[c]
        rows.append(row)
        rhs.append(b)
    out = set()
    if not rows:
        return out
    a, b = np.array(rows), np.array(rhs)
    bounds = [(1 if all(cells[c] >= 1 for c in hidden) else 0, None)] * len(unknown)
    for c, i in idx.items():
        lo = linprog(np.eye(len(unknown))[i], A_eq=a, b_eq=b, bounds=bounds, method="highs")
        hi = linprog(-np.eye(len(unknown))[i], A_eq=a, b_eq=b, bounds=bounds, method="highs")
        if lo.status == 0 and hi.status == 0 and abs(-hi.fun - lo.fun) < 1e-6:
            out.add(c)
    return out


def test_thresholds_come_from_the_settings(monkeypatch):
    monkeypatch.setenv("IVM_PUBLIC_MIN_COUNT", "10")
    monkeypatch.setenv("IVM_PUBLIC_MIN_NEFF", "50")
    assert Thresholds.from_settings() == Thresholds(10, 50.0)
    monkeypatch.delenv("IVM_PUBLIC_MIN_COUNT")
    monkeypatch.delenv("IVM_PUBLIC_MIN_NEFF")
    assert Thresholds.from_settings() == Thresholds(5, 30.0)


# -- the public workbook of the demo city -------------------------------------------------------


@pytest.fixture(scope="module")
def public(demo_city, tmp_path_factory):
    """The public council workbook of the demo city, and a read-only connection."""
    wh = demo_city[0]
    path = tmp_path_factory.mktemp("public") / "public.xlsx"
    con = wh.connect_read_only()
    write_council_workbook(con, path, audience="public", thresholds=Thresholds())
    yield openpyxl.load_workbook(path), con
    con.close()


def _key(ind) -> str:
    """The facts a count or rate counts (a rate is a count to anyone who knows the
    population): the attacker's own notion of 'the same figure'."""
    if ind.kind.noise != "poisson":
        return ind.id
    spec = ind.model_dump(mode="json", by_alias=True)
    return hashlib.md5(json.dumps([ind.source, spec["filters"], ind.event],
                                  sort_keys=True).encode()).hexdigest()


class Reader:
    """What an outsider knows: the figures shown, the x's, and public facts."""

    def __init__(self, wb, con) -> None:
        self.con = con
        self.known: dict = {}
        self.unknown: set = set()
        self.equations: list[tuple[dict, float]] = []
        self.pop = defaultdict(dict)
        for a, y, inh, hh in con.execute(
                "SELECT area_id, year, inhabitants, households FROM area_population").fetchall():
            self.pop[a][y] = (inh, hh)
        self.summary = _rows(wb["Samenvatting"], "Id")
        self._areas(wb["Wijken"])
        for name in ("Proactie", "Preparatie", "Preventie", "Reactie", "Nazorg"):
            if name in wb.sheetnames:
                self._detail(_rows(wb[name], "Id"))

    def population(self, ind, area: str, year: int) -> float:
        if area == "rest":  # the part of the city in no wijk
            city, wijken = self.rest_of
            return self.population(ind, city, year) - sum(
                self.population(ind, w, year) for w in wijken)
        years = [y for y in self.pop[area] if y <= year]
        inh, hh = self.pop[area][max(years)]
        return float(inh if ind.population == "inhabitants" else hh)

    def to_count(self, ind, area: str, years: list[int], value):
        """A shown value as the count it reveals (rates: times the population)."""
        if value is None or value == MARK or ind.kind.value_rule != "rate":
            return value
        den = sum(self.population(ind, area, y) for y in years)
        return value * den / ind.factor

    def put(self, cell, value) -> None:
        if value == MARK:
            self.unknown.add(cell)
        elif value is not None:
            self.known[cell] = float(value)

    def relation(self, total, members, weights=None) -> None:
        weights = weights or [1.0] * len(members)
        eq = defaultdict(float)
        eq[total] -= 1.0
        for m, w in zip(members, weights, strict=True):
            eq[m] += w
        self.equations.append((dict(eq), 0.0))

    def _areas(self, ws) -> None:
        rows = _rows(ws, "Indicator")
        header = list(rows[0])
        years = [h for h in header if h.isdigit()]
        by_ind = defaultdict(list)
        for r in rows:
            by_ind[r["Indicator-id"]].append(r)
        for ind_id, rs in by_ind.items():
            ind = CATALOG[ind_id]
            key = _key(ind)
            city = next(r for r in rs if r["Niveau"] == "stad")
            parts = [r for r in rs if r["Niveau"] != "stad"]
            code = {id(r): (r["Gebiedscode"] or "rest") for r in rs}
            self.rest_of = (city["Gebiedscode"], [code[id(r)] for r in parts
                                                  if code[id(r)] != "rest"])
            for r in rs:
                a = code[id(r)]
                for y in years:
                    self.put((key, a, y), self.to_count(ind, a, [int(y)], r[y]))
                if r["Totaal"] is not None:
                    span = r["Jaren in totaal"]
                    first, last = map(int, span.split("-"))
                    self.put((key, a, span), self.to_count(
                        ind, a, list(range(first, last + 1)), r["Totaal"]))
            if ind.kind.noise == "poisson":
                for y in years:
                    if city[y] is not None:
                        self.relation((key, city["Gebiedscode"], y),
                                      [(key, code[id(r)], y) for r in parts])
                span = city["Jaren in totaal"]
                if span:
                    self.relation((key, city["Gebiedscode"], span),
                                  [(key, code[id(r)], span) for r in parts])
                    for r in rs:
                        self.relation((key, code[id(r)], span),
                                      [(key, code[id(r)], y) for y in years
                                       if r[y] is not None])
            elif ind.kind.value_rule == "ratio":
                for y in years:
                    if city[y] is None:
                        continue
                    den = dict(self.con.execute(
                        "SELECT area_id, denominator FROM indicator_value WHERE indicator_id = ? "
                        "AND period = ? AND area_level IN ('wijk', 'gemeente')",
                        [ind_id, y]).fetchall())
                    c = city["Gebiedscode"]
                    self.relation((key, c, y), [(key, code[id(r)], y) for r in parts],
                                  [den[code[id(r)]] / den[c] for r in parts])

    def _detail(self, rows) -> None:
        summary = {(r["Id"], r["Gebiedscode"]): r for r in self.summary}
        by_obj = defaultdict(list)
        for r in rows:
            by_obj[(r["Id"], r["Gebiedscode"])].append(r)
        for (oid, area), rs in by_obj.items():
            s = summary[(oid, area)]
            ind = next(i for i in CATALOG if (i.title.nl == s["Indicator"]))
            key = _key(ind)
            for r in rs:
                period = r["Periode"]
                years = [int(period)] if period.isdigit() else None
                if years is None:  # a 12-month window: its own figure
                    self.put((key, area, period), r["Waarde"] if ind.kind.value_rule != "rate"
                             else self.to_count(ind, area, [int(period[8:12])], r["Waarde"]))
                else:
                    self.put((key, area, period), self.to_count(ind, area, years, r["Waarde"]))
                assert (r["Waarde"] == MARK) == (r["Ondergrens 95 %"] == MARK), (oid, period)
            base = s["Basiswaarde"]
            first, _, last = s["Basisperiode"].partition("-")
            last = last or first
            years = [y for y in range(int(first), int(last) + 1)]
            if len(years) == 1:
                continue
            bcell = (key, area, f"base {first}-{last}")
            if ind.kind.noise == "poisson":
                if base != MARK:
                    per = (sum(self.population(ind, area, y) for y in years) / ind.factor
                           if ind.kind.value_rule == "rate" else len(years))
                    self.put(bcell, base * per)
                else:
                    self.unknown.add(bcell)
                self.relation(bcell, [(key, area, str(y)) for y in years])
            elif base != MARK:  # a share or mean: weighted by the years' denominators
                self.put(bcell, base)


def _rows(ws, first_header: str) -> list[dict]:
    """The table of a sheet whose header row holds ``first_header``."""
    header_row = next(r for r in range(1, 12) if first_header in [c.value for c in ws[r]])
    header = [c.value for c in ws[header_row] if c.value is not None]
    out = []
    for values in ws.iter_rows(min_row=header_row + 1, max_col=len(header), values_only=True):
        if values[0] is None:
            break
        out.append(dict(zip(header, values, strict=True)))
    return out


def _solve(reader: Reader) -> tuple[set, set]:
    """The suppressed figures a reader recovers: by rank, and by LP with every hidden count at
    least 1 (the workbook says zeros are always shown)."""
    from scipy.optimize import linprog

    unknown = sorted(reader.unknown)
    idx = {c: i for i, c in enumerate(unknown)}
    rows, rhs = [], []
    for eq, b0 in reader.equations:
        if not any(c in idx for c in eq):
            continue
        if any(c not in idx and c not in reader.known for c in eq):
            continue  # a figure nobody sees: the relation gives nothing away
        row = np.zeros(len(unknown))
        b = b0
        for c, w in eq.items():
            if c in idx:
                row[idx[c]] += w
            else:
                b -= w * reader.known[c]
        rows.append(row)
        rhs.append(b)
    a, b = np.array(rows), np.array(rhs)
    by_rank, by_lp = set(), set()
    for key in sorted({c[0] for c in unknown}):  # relations never mix two keys
        cols = [i for i, c in enumerate(unknown) if c[0] == key]
        keep = np.abs(a[:, cols]).sum(axis=1) > 0
        if not keep.any():
            continue
        sub, rhs_k = a[keep][:, cols], b[keep]
        rank = np.linalg.matrix_rank(sub)
        for j, i in enumerate(cols):  # determined iff its unit vector is in the row space
            e = np.zeros(len(cols))
            e[j] = 1.0
            if np.linalg.matrix_rank(np.vstack([sub, e])) == rank:
                by_rank.add(unknown[i])
        if key in CATALOG.indicators:
            continue  # a share or mean: the bound of counts does not apply
        for j, i in enumerate(cols):
            e = np.zeros(len(cols))
            e[j] = 1.0
            lo = linprog(e, A_eq=sub, b_eq=rhs_k, bounds=(1, None), method="highs")
            hi = linprog(-e, A_eq=sub, b_eq=rhs_k, bounds=(1, None), method="highs")
            assert lo.status == 0, "the system a reader builds must hold for the true values"
            if hi.status == 0 and abs(-hi.fun - lo.fun) < 1e-6:
                by_lp.add(unknown[i])
    return by_rank, by_lp


def test_no_suppressed_figure_can_be_recovered(public):
    wb, con = public
    reader = Reader(wb, con)
    assert not reader.unknown & reader.known.keys(), "hidden in one place, shown in another"
    assert len(reader.unknown) > 100, "the demo has small numbers to protect"
    assert len(reader.equations) > 100
    by_rank, by_lp = _solve(reader)
    assert not by_rank, sorted(by_rank)[:10]
    assert not by_lp, sorted(by_lp)[:10]


def _releases(con) -> tuple[Published, Published]:
    """The last two public releases the demo's history recorded (one per refresh)."""
    rows = con.execute("SELECT payload FROM public_release ORDER BY release_id DESC "
                       "LIMIT 2").fetchall()
    assert len(rows) == 2, "every refresh records its public release"
    later, earlier = (Published.from_json(p) for (p,) in rows)
    return earlier, later


def test_the_recorded_release_is_the_one_published(public):
    _, con = public
    earlier, later = _releases(con)
    assert council_figures(con, audience="public").hidden == later.hidden
    unchanged = {c for c in earlier.hidden if earlier.values[c] == later.values.get(c)}
    assert unchanged and unchanged <= later.hidden, "earlier suppressions are kept"


def test_two_consecutive_releases_give_nothing_away(public):
    """An outsider holding both releases (a quarter apart), with every relation of each and the
    differences between them, neither works out nor narrows any figure either release hid."""
    _, con = public
    earlier, later = _releases(con)
    assert not exposed([earlier, later])


def test_two_releases_decided_one_at_a_time_give_figures_away(public):
    """The attack is not blind: the later release decided on its own figures only (safe by
    itself, like the earlier one) gives figures away together with the earlier release."""
    _, con = public
    earlier, later = _releases(con)
    shown = later.figures | later.hidden
    alone = protect(later.values, shown, later.primary, later.groups, counts=later.counts,
                    widths=later.widths)
    naive = Published(later.values, shown - alone, alone, later.primary, later.widths,
                      later.counts, later.groups)
    assert not exposed([naive]) and not exposed([earlier])
    assert exposed([earlier, naive])


def test_the_attack_works_on_naive_suppression(public):
    """The same attack recovers cells when only the small cells are hidden: it is not blind.
    Every x of one indicator whose true value is 5 or more (a complementary one) is shown
    again; then small cells follow from the totals."""
    wb, con = public
    reader = Reader(wb, con)
    values = dict(con.execute(
        "SELECT area_id || '|' || period, numerator FROM indicator_value WHERE indicator_id = "
        "'drugs_count' AND period_type = 'year' AND area_level IN ('wijk', 'gemeente')"
    ).fetchall())
    key = _key(CATALOG["drugs_count"])
    revealed = 0
    for cell in sorted(reader.unknown):
        if cell[0] != key or not cell[2].isdigit():
            continue
        true = values.get(f"{cell[1]}|{cell[2]}", 0.0)
        if true >= 5:
            reader.unknown.discard(cell)
            reader.known[cell] = true
            revealed += 1
    assert revealed
    by_rank, _ = _solve(reader)
    assert any(c[0] == key for c in by_rank)


def test_no_small_count_and_no_small_survey_cell_is_visible(public):
    wb, con = public
    reader = Reader(wb, con)
    for (key, area, period), value in reader.known.items():
        ind = next((i for i in CATALOG if _key(i) == key), None)
        if ind is None or ind.kind.noise != "poisson" or ind.min_n == 0:
            continue
        assert round(value) == 0 or round(value) >= 5, (ind.id, area, period, value)
    neff = {(i, a, p): n for i, a, p, n in con.execute(
        "SELECT indicator_id, area_id, period, coalesce(n_eff, n) FROM indicator_value "
        "WHERE period_type = 'year'").fetchall()}
    seen = 0
    for (key, area, period), _ in reader.known.items():
        ind = CATALOG.indicators.get(key)
        if ind is None or ind.min_n == 0 or not period.isdigit():
            continue
        if ind.kind.value_rule in ("ratio", "direct"):
            assert neff[(ind.id, area, period)] >= 30, (ind.id, area, period)
            seen += 1
    assert seen > 50


def test_summary_hides_what_rests_on_small_numbers(public):
    wb, con = public
    rows = _rows(wb["Samenvatting"], "Id")
    by_id = {r["Id"]: r for r in rows}
    small = by_id["PREV-12"]  # a wijk with 20 respondents a wave
    assert small["Huidige waarde"] == MARK
    assert small["Basiswaarde"] == MARK
    assert small["Doel"] == MARK  # a relative target would give the baseline away
    assert "klein aantal" in small["Toelichting"]
    assert small["Status"] == "onvoldoende gegevens"  # the status itself stays
    assert by_id["PREV-01"]["Huidige waarde"] != MARK


def test_the_workbook_says_why(public):
    wb, _ = public
    note = wb["Samenvatting"]["A3"].value
    assert note.startswith("Publieke versie") and "x" in note
    method = [c for row in wb["Methode"].iter_rows(values_only=True) for c in row if c]
    text = " ".join(map(str, method))
    assert "1 tot en met 4" in text and "30" in text and "Aanvullende onderdrukking" in text
    assert wb.custom_doc_props["ivm.audience"].value == "public"
    assert wb.custom_doc_props["ivm.public_min_count"].value == "5"


def test_no_incident_level_rows_in_the_public_workbook(public):
    wb, con = public
    ids = {s for (s,) in con.execute(
        "SELECT source_id FROM incident UNION ALL SELECT source_id FROM nuisance "
        "UNION ALL SELECT source_id FROM survey_response").fetchall()}
    locations = {s for (s,) in con.execute(
        "SELECT DISTINCT location FROM incident WHERE location IS NOT NULL").fetchall()}
    texts = {str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
             for c in row if isinstance(c, str)}
    assert not texts & ids
    assert not texts & locations
    assert "Teller" not in {c.value for c in wb["Preventie"][5]}  # no numerators or n
    assert set(wb.sheetnames) <= {"Samenvatting", "Proactie", "Preparatie", "Preventie",
                                  "Reactie", "Nazorg", "Wijken", "Veiligheidsindex", "Methode",
                                  "Bronnen"}


def test_a_higher_threshold_hides_more(demo_city, tmp_path, monkeypatch):
    monkeypatch.setenv("IVM_PUBLIC_MIN_COUNT", "10")
    con = demo_city[0].connect_read_only()
    try:
        write_council_workbook(con, tmp_path / "p10.xlsx", audience="public")
        wb = openpyxl.load_workbook(tmp_path / "p10.xlsx")
        reader = Reader(wb, con)
    finally:
        con.close()
    for (key, area, period), value in reader.known.items():
        ind = next((i for i in CATALOG if _key(i) == key), None)
        if ind is not None and ind.kind.noise == "poisson" and ind.min_n:
            assert round(value) == 0 or round(value) >= 10, (ind.id, area, period, value)
    by_rank, by_lp = _solve(reader)
    assert not by_rank and not by_lp
    assert "1 tot en met 9" in " ".join(
        str(c) for row in wb["Methode"].iter_rows(values_only=True) for c in row if c)


def test_internal_workbook_hides_nothing(demo_city, tmp_path):
    con = demo_city[0].connect_read_only()
    try:
        write_council_workbook(con, tmp_path / "internal.xlsx")
    finally:
        con.close()
    wb = openpyxl.load_workbook(tmp_path / "internal.xlsx")
    marks = [c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row
             if c == MARK]
    assert not marks
    assert Path(tmp_path / "internal.xlsx").stat().st_size > 10_000


def test_public_csv_shows_what_the_public_workbook_shows(public):
    """Two public releases of the same figures hide the same cells (else together they would
    give away what each protects)."""
    import csv
    import io

    from core.vocabulary import rounded
    from dashboard.export.tables import table_csv
    from indicators.results import stored_catalog

    wb, con = public
    catalog = stored_catalog(con)
    text = table_csv(con, "indicator_value", "public").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    sheet = {(r["Indicator-id"], r["Gebiedscode"], y): r[y]
             for r in _rows(wb["Wijken"], "Indicator") for y in r if y.isdigit()
             if r[y] is not None}
    compared = hidden = 0
    for r in rows:
        key = (r["indicator_id"], r["area_id"], r["period"])
        if key not in sheet:
            continue
        compared += 1
        if r["suppressed"] == "true":
            hidden += 1
            assert sheet[key] == MARK and r["value"] == "", key
        else:
            style = catalog[r["indicator_id"]].style  # the CSV shows the digits shown
            assert sheet[key] != MARK and float(r["value"]) == pytest.approx(
                rounded(sheet[key], style)), key
    assert compared > 1000 and hidden > 100
