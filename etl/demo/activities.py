"""Demo partner outputs: what the city's safety partners register, month after month (XLSX).

Format (``partneractiviteiten.xlsx``, one sheet "Activiteiten", profile ``be-partners``): a title
row, then the header::

    Registratienummer | Partner | Activiteit | Datum | Gebied | Aantal | Eenheid

- ``Registratienummer``: ``<partner prefix>-<year>-<number>``, e.g. ``PRE-2024-00017``;
- ``Datum``: an Excel date: the day of the activity, or the last day of the month for a
  monthly total;
- ``Gebied``: the area code: a statistical sector (an address), a wijk, the municipality
  ``41002``, or the project area ``41002P01`` for Ten Rozen activities from the project start
  on (before it, Ten Rozen's activities carry the codes of its sectors, which lie in the
  project area);
- ``Aantal``: a count, or hours (decimal, in halves) for patrols; ``Eenheid``: its unit.

What is registered (partner: activity [unit], area, volume and trend):

- preventiedienst: technopreventief advies [adviesbezoek], sector, about 18 visits a month rising
  8.5 % a year, more in the dark months, three times as many in Ten Rozen after the project
  start (burglary-proof renovation of the social housing);
- preventiedienst: vergunningsscreening [dossier], sector (mostly the centre), about 5 a month
  rising 6 % a year, more in spring (events and terraces);
- preventiedienst: buurtoverleg [overleg], wijk, about two a year per wijk;
- politiezone: patrouille-uren [uur], monthly totals per centre wijk and for the rest of the
  city, plus the carnival days (Sunday to Tuesday) in the centre wijken (the peak);
- brandweerzone: oefening noodplan [oefening], municipality, 2 to 4 a year;
- brandweerzone: brandpreventieadvies [advies], municipality, monthly totals;
- GAS-ambtenaar: GAS-dossier behandeld [dossier] and GAS-bemiddeling [bemiddeling],
  municipality, monthly totals (more in the carnival month);
- sociale-dienst: doorverwijzing slachtofferhulp [doorverwijzing], wijk, about 9 a month,
  slowly rising;
- jeugdwerk: contact jeugdwerk [contact], street-work rounds in the centre wijken and in Ten
  Rozen (``Aantal`` = young people met); in Ten Rozen few rounds before the project, then more
  rounds meeting more young people (rising over three years);
- huisvestingsmaatschappij: buurtoverleg [overleg], Ten Rozen (one of its sectors), quarterly
  before the project start, monthly (not in August) after it.

Lockdowns (spring 2020, winter 2020-21) lower the visits and meetings; the 2021 carnival was
cancelled. The same city and seed give the same cell values and the same bytes (the workbook's
timestamps and the zip entries' dates are fixed).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from core.workbook import save_reproducible
from etl.demo.city import PROJECT_CODE, City

HEADER = ["Registratienummer", "Partner", "Activiteit", "Datum", "Gebied", "Aantal", "Eenheid"]
PREFIX = {
    "politiezone": "PZ",
    "preventiedienst": "PRE",
    "GAS-ambtenaar": "GAS",
    "sociale-dienst": "SOC",
    "jeugdwerk": "JW",
    "brandweerzone": "BWZ",
    "huisvestingsmaatschappij": "HVM",
}
#: Years in which Aalst carnival did not take place.
CARNIVAL_CANCELLED = (2021,)
#: Months with activity scaled down by COVID-19 measures (first day of month -> factor).
LOCKDOWN = {
    dt.date(2020, 3, 1): 0.25, dt.date(2020, 4, 1): 0.15, dt.date(2020, 5, 1): 0.5,
    dt.date(2020, 11, 1): 0.6, dt.date(2020, 12, 1): 0.6, dt.date(2021, 1, 1): 0.7,
}


class _Rows:
    """Column-wise collector of registrations."""

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(self, partner: str, activity: str, unit: str, dates: np.ndarray,
            areas: np.ndarray | str, quantity: np.ndarray | float) -> None:
        """Add registrations (arrays of equal length, or scalars for area and quantity)."""
        n = len(dates)
        if n == 0:
            return
        self.parts.append(pd.DataFrame({
            "partner": partner,
            "activity": activity,
            "date": np.asarray(dates, dtype="datetime64[D]"),
            "area": np.broadcast_to(np.asarray(areas, dtype=object), (n,)),
            "quantity": np.broadcast_to(np.asarray(quantity, dtype=float), (n,)),
            "unit": unit,
        }))

    def frame(self, project: set[str], project_start: dt.date,
              project_code: str = PROJECT_CODE) -> pd.DataFrame:
        """All registrations in date order, with their registration numbers; from
        ``project_start`` on, those in a ``project`` sector carry the project area code."""
        df = pd.concat(self.parts, ignore_index=True)
        in_project = df["area"].isin(project) & (df["date"] >= pd.Timestamp(project_start))
        df.loc[in_project, "area"] = project_code
        df = df.sort_values(["date", "partner", "activity", "area"], kind="stable",
                            ignore_index=True)
        year = df["date"].dt.year
        number = df.groupby([df["partner"], year]).cumcount() + 1
        df["id"] = [f"{PREFIX[p]}-{y}-{n:05d}" for p, y, n in
                    zip(df["partner"], year, number, strict=True)]
        return df


class _Calendar:
    """The months of the data and a vectorised pick of days within them."""

    def __init__(self, city: City) -> None:
        self.months = pd.date_range(city.start, city.end, freq="MS")
        self.first = self.months.values.astype("datetime64[D]")
        self.last = (self.months + pd.offsets.MonthEnd(0)).values.astype("datetime64[D]")
        self.years = self.months.year.to_numpy()
        self.month = self.months.month.to_numpy()
        #: Years since the data starts, per month.
        self.t = np.arange(len(self.months)) / 12.0
        self.lockdown = np.array([LOCKDOWN.get(m.date(), 1.0) for m in self.months])
        days = pd.date_range(city.start, city.end, freq="D")
        self._days = {}
        for weekdays in (False, True):
            chosen = days[days.day_of_week < 5] if weekdays else days
            month_ix = (chosen.year - city.start.year) * 12 + chosen.month - city.start.month
            starts = np.searchsorted(month_ix, np.arange(len(self.months)))
            counts = np.diff(np.append(starts, len(chosen)))
            self._days[weekdays] = (chosen.values.astype("datetime64[D]"), starts, counts)

    def days(self, rng: np.random.Generator, month_ix: np.ndarray,
             weekdays: bool = True) -> np.ndarray:
        """A random day (a weekday when ``weekdays``) in each of the given months."""
        values, starts, counts = self._days[weekdays]
        pick = starts[month_ix] + (rng.random(len(month_ix)) * counts[month_ix]).astype(int)
        return values[pick]

    def events(self, rng: np.random.Generator, rate: np.ndarray,
               weekdays: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Poisson events per month at ``rate``: (month index, day) per event."""
        month_ix = np.repeat(np.arange(len(self.months)), rng.poisson(rate))
        return month_ix, self.days(rng, month_ix, weekdays)


def _season(month: np.ndarray, bumps: dict[int, float]) -> np.ndarray:
    """A factor per month: ``bumps[m]`` for month ``m``, else 1."""
    return np.array([bumps.get(int(m), 1.0) for m in month])


def _spread(rng: np.random.Generator, expected: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Poisson counts for a (month, area) matrix of expected values, as one (month index,
    area index) pair per event."""
    drawn = rng.poisson(expected)
    rows, cols = np.nonzero(drawn)
    counts = drawn[rows, cols]
    return np.repeat(rows, counts), np.repeat(cols, counts)


def registrations(city: City, seed: int) -> pd.DataFrame:
    """Every registration of the demo partners, in date order (columns: id, partner, activity,
    date, area, quantity, unit)."""
    rng = np.random.default_rng([seed, 4])
    cal = _Calendar(city)
    rows = _Rows()
    sectors = city.sectors
    codes = np.array([s.code for s in sectors], dtype=object)
    weight = np.array([s.weight for s in sectors])
    risk = np.array([s.risk for s in sectors])
    centre = np.array([s.centre for s in sectors])
    in_project = np.array([s.project for s in sectors])
    wijk_codes, of_sector = np.unique([s.wijk for s in sectors], return_inverse=True)
    wijk_codes = wijk_codes.astype(object)
    wijk_people = np.bincount(of_sector, weight)
    wijk_risk = np.bincount(of_sector, weight * risk) / wijk_people
    wijk_centre = np.bincount(of_sector, centre) > 0
    started = cal.first >= np.datetime64(city.project_start)
    ramp = np.clip((cal.first - np.datetime64(city.project_start)).astype(int) / (3 * 365.25),
                   0.0, 1.0)
    ramp = np.where(started, np.maximum(ramp, 1 / 36), 0.0)

    # preventiedienst: techno-preventive advice visits, rising; the project sectors more
    dark = _season(cal.month, {1: 1.15, 7: 0.7, 8: 0.6, 10: 1.3, 11: 1.45, 12: 1.35})
    rate = 18 * 1.085 ** cal.t * dark * cal.lockdown
    share = weight * np.sqrt(risk)
    share /= share.sum()
    boost = np.where(in_project, 3.0, 1.0)
    expected = rate[:, None] * np.where(started[:, None], share * boost, share)
    month_ix, sector_ix = _spread(rng, expected)
    rows.add("preventiedienst", "technopreventief advies", "adviesbezoek",
             cal.days(rng, month_ix), codes[sector_ix], 1.0)

    # preventiedienst: permit screening, mostly horeca and events in the centre
    rate = 5 * 1.06 ** cal.t * _season(cal.month, {3: 1.3, 4: 1.4, 5: 1.4, 6: 1.2, 8: 0.6})
    month_ix, day = cal.events(rng, rate * cal.lockdown)
    p = weight * np.where(centre, 4.0, 1.0)
    rows.add("preventiedienst", "vergunningsscreening", "dossier", day,
             rng.choice(codes, len(day), p=p / p.sum()), 1.0)

    # preventiedienst: neighbourhood meetings (buurtinformatienetwerken), about two a year a wijk
    expected = np.repeat(2 / 12 * cal.lockdown[:, None] ** 2, len(wijk_codes), axis=1)
    month_ix, wijk_ix = _spread(rng, expected)
    rows.add("preventiedienst", "buurtoverleg", "overleg", cal.days(rng, month_ix),
             wijk_codes[wijk_ix], 1.0)

    # politiezone: patrol hours per centre wijk (monthly), the rest of the city, carnival days
    centre_wijken, level = wijk_codes[wijk_centre], wijk_risk[wijk_centre]
    hours = 150 * (level / level.mean())[None, :] * (1 + 0.02 * cal.t)[:, None]
    hours *= _season(cal.month, {6: 1.1, 7: 1.15, 8: 1.15, 12: 1.1})[:, None]
    hours *= rng.normal(1.0, 0.07, hours.shape)
    rows.add("politiezone", "patrouille-uren", "uur", np.repeat(cal.last, len(centre_wijken)),
             np.tile(centre_wijken, len(cal.months)), np.round(hours.ravel() * 2) / 2)
    rest = 420 * (1 + 0.01 * cal.t) * rng.normal(1.0, 0.06, len(cal.months))
    rows.add("politiezone", "patrouille-uren", "uur", cal.last, city.code, np.round(rest * 2) / 2)
    days = [d for y in city.years if y not in CARNIVAL_CANCELLED for d in city.carnival(y)
            if city.start <= d <= city.end]
    day_factor = {6: 1.0, 0: 0.8, 1: 0.65}  # Sunday parade, Monday, Tuesday (Voil Jeanetten)
    base = np.array([day_factor[d.weekday()] for d in days])
    hours = 85 * base[:, None] * (level / level.mean())[None, :]
    hours *= rng.normal(1.0, 0.1, hours.shape)
    rows.add("politiezone", "patrouille-uren", "uur",
             np.repeat(np.array(days, dtype="datetime64[D]"), len(centre_wijken)),
             np.tile(centre_wijken, len(days)), np.round(hours.ravel() * 2) / 2)

    # brandweerzone: emergency-plan exercises (2-4 a year) and fire-prevention advice
    for year in city.years:
        n = int(rng.choice([2, 3, 4], p=[0.3, 0.45, 0.25]))
        months = np.sort(rng.choice(np.arange(1, 13), n, replace=False))
        first = np.array([np.datetime64(dt.date(year, int(m), 1)) for m in months])
        day = np.busday_offset(first + (rng.random(n) * 26).astype(int), 0, roll="forward")
        day = day[(day >= np.datetime64(city.start)) & (day <= np.datetime64(city.end))]
        rows.add("brandweerzone", "oefening noodplan", "oefening", day, city.code, 1.0)
    rows.add("brandweerzone", "brandpreventieadvies", "advies", cal.last, city.code,
             rng.poisson(24 * (1 + 0.02 * cal.t) * cal.lockdown))

    # GAS-ambtenaar: files handled and mediations (municipality, monthly)
    carnival_month = np.zeros(len(cal.months), dtype=bool)
    for d in days:
        carnival_month |= (cal.years == d.year) & (cal.month == d.month)
    rows.add("GAS-ambtenaar", "GAS-dossier behandeld", "dossier", cal.last, city.code,
             rng.poisson(55 * 1.02 ** cal.t * np.where(carnival_month, 1.35, 1.0)))
    rows.add("GAS-ambtenaar", "GAS-bemiddeling", "bemiddeling", cal.last, city.code,
             rng.poisson(3.0 * cal.lockdown))

    # sociale-dienst: referrals to victim support, by the victim's wijk
    month_ix, day = cal.events(rng, 9 * 1.03 ** cal.t)
    p = wijk_people * wijk_risk
    rows.add("sociale-dienst", "doorverwijzing slachtofferhulp", "doorverwijzing", day,
             rng.choice(wijk_codes, len(day), p=p / p.sum()), 1.0)

    # jeugdwerk: street-work rounds in the centre wijken and in Ten Rozen
    summer = _season(cal.month, {1: 0.7, 2: 0.7, 6: 1.2, 7: 1.4, 8: 1.4, 12: 0.8})
    expected = np.repeat((5 * summer * cal.lockdown)[:, None], len(centre_wijken), axis=1)
    month_ix, wijk_ix = _spread(rng, expected)
    rows.add("jeugdwerk", "contact jeugdwerk", "contact", cal.days(rng, month_ix, False),
             centre_wijken[wijk_ix], 1 + rng.poisson(7, len(month_ix)))
    if in_project.any():
        project_codes = codes[in_project]
        rounds = (1.5 + 8.5 * ramp) * summer * cal.lockdown
        month_ix, day = cal.events(rng, rounds, weekdays=False)
        met = 1 + rng.poisson(4 + 5 * ramp[month_ix])
        rows.add("jeugdwerk", "contact jeugdwerk", "contact", day,
                 rng.choice(project_codes, len(month_ix)), met)

        # huisvestingsmaatschappij: neighbourhood meetings in Ten Rozen
        meets = np.where(started, (cal.month != 8) * 1.0, (cal.month % 3 == 2) * 1.0)
        month_ix = np.nonzero(meets * (cal.lockdown >= 0.5))[0]
        rows.add("huisvestingsmaatschappij", "buurtoverleg", "overleg",
                 cal.days(rng, month_ix), rng.choice(project_codes, len(month_ix)), 1.0)
    return rows.frame(set(codes[in_project]), city.project_start, city.project_code)


def write_activities(city: City, path: Path, seed: int) -> int:
    """Write the partner activities workbook to ``path``; return the number of registrations."""
    df = registrations(city, seed)
    stamp = dt.datetime.combine(city.end + dt.timedelta(days=1), dt.time(6, 0))
    wb = Workbook(write_only=True)
    wb.properties.creator = "ivmonitor demo"
    wb.properties.created = stamp
    ws = wb.create_sheet("Activiteiten")
    for col, width in zip("ABCDEFG", (18, 24, 30, 12, 12, 10, 16), strict=True):
        ws.column_dimensions[col].width = width
    ws.append([f"Partneractiviteiten integraal veiligheidsbeleid {city.name}, "
               f"{city.start:%d/%m/%Y} - {city.end:%d/%m/%Y}"])
    ws.append(HEADER)
    dates = df["date"].dt.date.tolist()
    quantities = [int(q) if q.is_integer() else q for q in df["quantity"].tolist()]
    for row in zip(df["id"], df["partner"], df["activity"], dates, df["area"], quantities,
                   df["unit"], strict=True):
        ws.append(list(row))
    save_reproducible(wb, path, stamp)
    return len(df)
