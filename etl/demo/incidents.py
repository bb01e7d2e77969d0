"""Demo police export: the incidents a Belgian local police zone hands the city (CSV).

Format (``politie_export.csv``, profile ``be-politie``): Windows-1252, ``;``-separated, CRLF
line ends, day-first dates, one header line::

    PV-nummer;Feitcategorie;Datum/uur feit;Datum/uur aangifte;Prioriteit;Tijdstip dispatch;
    Tijdstip ter plaatse;Statistische sector;Straat

- ``PV-nummer``: the official report number ``DE.43.L7.<number>/<year>`` (judicial district
  Dendermonde), numbered per year of the facts in order of occurrence;
- ``Feitcategorie``: the Dutch label of the police statistics (some categories under two labels,
  e.g. ``Drugs - bezit`` and ``Drugs - handel``; the profile maps them to the canonical ids);
- ``Datum/uur feit``, ``Datum/uur aangifte``: ``dd/mm/yyyy HH:MM``; the report follows the facts
  by minutes (caught in the act) to days (fraud, burglary found on return);
- ``Prioriteit``: 1 (urgent) to 4 (administrative complaint, no intervention);
- ``Tijdstip dispatch``, ``Tijdstip ter plaatse``: dispatch and arrival of the patrol, empty
  when no patrol went (every priority 4 and 30 % of priority 3);
- ``Statistische sector``: the sector code; ``Straat``: the street (with accents).

Over 500 lines, and one cohesive job: the generative model of the demo's police export (its
category table and every effect on it), read as a whole.

The model (per category: rate per 1,000 inhabitants in the first year, yearly trend, profiles by
month, weekday and hour; see ``CATEGORIES``): daily expected counts per sector are the city rate
times the sector's inhabitants times ``risk ** risk_power`` (times an extra factor in the centre
wijken for shoplifting, pickpocketing, ...), normalised so the city rate holds, times a monthly
gamma factor for the city and for each wijk (extra-Poisson variation, as real counts have), and
Poisson drawn per month. On top of that: the carnival days (Sunday to Tuesday, centre wijken:
violence, vandalism, pickpocketing, public order five to eight times normal; 2021 cancelled),
New Year's night, the COVID-19 lockdown months (fewer burglaries and thefts, more intra-family
violence), and the Ten Rozen project: its sectors are a burglary and vandalism hotspot (four
times the city's rate per inhabitant) until the project start, after which burglary and
vandalism fall 50 % more than elsewhere (phased in over half a year). Residential burglary
starts at about 5.5 per 1,000 inhabitants and falls 6 % a year. Priority-1 arrival (call to on
site) is log-normal around 10 minutes, faster in the centre, about 80 % within 15 minutes,
improving slowly.

Incidents reported after the export's closing date (the end of the last complete month) are
not in the export yet. The same city, seed and scale give the same bytes; rows are generated
and written month by month, so memory stays bounded at any scale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.dtypes import StringDType

from etl.demo.activities import CARNIVAL_CANCELLED, LOCKDOWN
from etl.demo.city import City

HEADER = [
    "PV-nummer", "Feitcategorie", "Datum/uur feit", "Datum/uur aangifte", "Prioriteit",
    "Tijdstip dispatch", "Tijdstip ter plaatse", "Statistische sector", "Straat",
]
PV_PREFIX = "DE.43.L7."

# --- profiles (relative weights; normalised where they are used) ------------------------------
#: By month, January first.
DARK = (1.35, 1.15, 0.95, 0.85, 0.75, 0.7, 0.75, 0.8, 0.9, 1.1, 1.35, 1.45)
SUMMER = (0.6, 0.6, 0.8, 1.0, 1.2, 1.35, 1.4, 1.35, 1.25, 1.0, 0.8, 0.6)
SHOPPING = (1.0, 0.9, 0.95, 0.95, 1.0, 0.95, 1.0, 1.0, 0.95, 1.0, 1.1, 1.4)
WARM = (0.9, 0.9, 0.95, 1.0, 1.05, 1.1, 1.1, 1.05, 1.05, 0.95, 0.9, 1.0)
HOLIDAYS = (1.05, 0.95, 0.95, 1.0, 1.0, 0.95, 1.05, 1.05, 0.95, 0.95, 1.0, 1.15)
TRAFFIC = (0.9, 0.9, 0.95, 0.95, 1.05, 1.1, 0.95, 0.9, 1.1, 1.1, 1.05, 1.0)
AUTUMN = (1.15, 1.05, 1.0, 0.95, 0.9, 0.9, 0.95, 0.95, 0.95, 1.0, 1.1, 1.15)
FLAT = (1.0,) * 12
#: By weekday, Monday first.
ALL_WEEK = (1.0,) * 7
WEEKEND = (0.85, 0.85, 0.9, 0.95, 1.15, 1.3, 1.05)
SHOPS = (1.0, 1.0, 1.0, 1.0, 1.1, 1.5, 0.25)
WORKDAYS = (1.1, 1.1, 1.1, 1.1, 1.1, 0.8, 0.6)
OFFICE = (1.2, 1.15, 1.1, 1.1, 1.0, 0.6, 0.5)
#: By hour of the day, midnight first.
EVENING = (0.4, 0.3, 0.3, 0.3, 0.3, 0.3, 0.4, 0.6, 0.8, 1.0, 1.1, 1.1,
           1.1, 1.1, 1.2, 1.3, 1.5, 2.0, 2.4, 2.4, 2.2, 1.8, 1.2, 0.7)
NIGHT = (2.0, 2.0, 1.8, 1.5, 1.0, 0.5, 0.3, 0.3, 0.3, 0.4, 0.5, 0.6,
         0.7, 0.7, 0.7, 0.8, 0.9, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0, 2.1)
DAY = (0.2, 0.15, 0.1, 0.1, 0.1, 0.2, 0.5, 1.0, 1.4, 1.6, 1.7, 1.7,
       1.7, 1.7, 1.7, 1.8, 1.9, 1.9, 1.7, 1.4, 1.1, 0.8, 0.5, 0.3)
SHOP_HOURS = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.05, 0.2, 0.8, 1.6, 1.8,
              1.7, 1.7, 2.0, 2.2, 2.3, 2.2, 1.4, 0.3, 0.1, 0.05, 0.0, 0.0)
HOME_EVENING = (1.2, 0.9, 0.6, 0.4, 0.3, 0.3, 0.4, 0.6, 0.6, 0.6, 0.7, 0.8,
                0.9, 0.9, 0.9, 1.0, 1.2, 1.5, 1.9, 2.2, 2.4, 2.4, 2.1, 1.7)
COMMUTE = (0.2, 0.15, 0.1, 0.1, 0.2, 0.5, 1.2, 2.2, 2.0, 1.2, 1.0, 1.1,
           1.3, 1.2, 1.3, 1.7, 2.3, 2.5, 1.9, 1.3, 1.0, 0.8, 0.6, 0.4)
OFFICE_HOURS = (0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 1.6, 1.9, 2.0, 1.9,
                1.5, 1.7, 1.9, 1.8, 1.6, 1.2, 0.9, 0.8, 0.7, 0.5, 0.3, 0.2)

#: Share of priority 3 incidents that get a patrol (priorities 1 and 2 always, 4 never).
P3_INTERVENTION = 0.7
#: How the median report delay of a category scales with the priority (1 to 4).
DELAY_BY_PRIORITY = (0.1, 0.5, 1.0, 2.5)


@dataclass(frozen=True)
class Category:
    """How one canonical incident category occurs (rates per 1,000 inhabitants a year)."""

    id: str
    labels: tuple[tuple[str, float], ...]  # export label(s) and their shares
    rate: float  # in the first year of the data
    trend: float  # yearly relative change
    season: tuple[float, ...]
    weekday: tuple[float, ...]
    hours: tuple[float, ...]
    priority: tuple[float, float, float, float]  # shares of priorities 1 to 4
    delay: float  # median minutes from the facts to the report (priority 3)
    risk_power: float = 1.0  # how strongly the sector's risk concentrates it
    centre: float = 1.0  # extra factor in the centre wijken
    carnival: float = 1.0  # factor on the carnival days in the centre wijken
    new_year: float = 1.0  # factor on New Year's Day (the night after the countdown)
    weekend_night: float = 0.0  # extra weight of the nights to Saturday and Sunday
    lockdown: float = 0.0  # 1: falls with lockdown activity; negative: rises
    project: bool = False  # Ten Rozen hotspot, target of the project
    outbreak: bool = False  # the recent outbreak in one wijk (the early warning's example)


CATEGORIES: tuple[Category, ...] = (
    Category("residential_burglary", (("Woninginbraak", 1.0),), 5.5, -0.06, DARK, WEEKEND,
             EVENING, (0.05, 0.35, 0.45, 0.15), 180, risk_power=0.6, lockdown=0.5,
             project=True),
    Category("residential_burglary_attempt", (("Poging woninginbraak", 1.0),), 2.0, -0.04,
             DARK, WEEKEND, EVENING, (0.05, 0.25, 0.4, 0.3), 240, risk_power=0.6, lockdown=0.5,
             project=True),
    Category("non_residential_burglary", (("Inbraak bedrijf of handelszaak", 1.0),), 1.2, -0.03,
             DARK, WEEKEND, NIGHT, (0.05, 0.3, 0.45, 0.2), 420, centre=1.5),
    Category("bicycle_theft", (("Fietsdiefstal", 1.0),), 4.2, -0.01, SUMMER, ALL_WEEK, DAY,
             (0.0, 0.0, 0.05, 0.95), 240, centre=1.6),
    Category("theft_from_vehicle", (("Diefstal uit voertuig", 0.75),
                                    ("Diefstal aan voertuig", 0.25)), 3.0, -0.04, AUTUMN,
             ALL_WEEK, NIGHT, (0.0, 0.05, 0.25, 0.7), 480, lockdown=0.3, outbreak=True),
    Category("vehicle_theft", (("Diefstal van motorvoertuig", 1.0),), 0.6, -0.03, AUTUMN,
             ALL_WEEK, NIGHT, (0.0, 0.1, 0.3, 0.6), 480),
    Category("pickpocketing", (("Gauwdiefstal", 1.0),), 1.0, -0.02, SHOPPING, SHOPS, DAY,
             (0.0, 0.05, 0.15, 0.8), 60, centre=6.0, carnival=6.0, lockdown=0.9),
    Category("shoplifting", (("Winkeldiefstal", 1.0),), 2.5, 0.01, SHOPPING, SHOPS, SHOP_HOURS,
             (0.0, 0.15, 0.6, 0.25), 10, centre=5.0, lockdown=0.6),
    Category("robbery", (("Diefstal met geweld", 1.0),), 0.6, -0.03, WARM, WEEKEND, NIGHT,
             (0.5, 0.3, 0.1, 0.1), 15, centre=2.0, lockdown=0.5),
    Category("other_theft", (("Andere diefstal", 1.0),), 6.0, -0.02, WARM, ALL_WEEK, DAY,
             (0.0, 0.05, 0.2, 0.75), 600, lockdown=0.4),
    Category("violence_public_space", (("Geweld openbare ruimte", 1.0),), 3.6, -0.01, WARM,
             WEEKEND, NIGHT, (0.5, 0.3, 0.1, 0.1), 15, risk_power=1.2, centre=1.5, carnival=8.0,
             new_year=3.0, weekend_night=1.5, lockdown=0.6),
    Category("intra_family_violence", (("Intrafamiliaal geweld", 1.0),), 2.4, 0.03, HOLIDAYS,
             WEEKEND, HOME_EVENING, (0.45, 0.35, 0.1, 0.1), 30, risk_power=0.5, new_year=2.0,
             lockdown=-0.3),
    Category("drugs", (("Drugs - bezit", 0.7), ("Drugs - handel", 0.3)), 1.8, 0.01, WARM,
             WEEKEND, NIGHT, (0.0, 0.1, 0.2, 0.7), 0, risk_power=1.3, centre=1.5, carnival=3.0,
             weekend_night=1.0),
    Category("vandalism", (("Vandalisme", 0.8), ("Graffiti", 0.2)), 4.0, -0.02, WARM, WEEKEND,
             NIGHT, (0.02, 0.1, 0.38, 0.5), 600, risk_power=0.8, carnival=5.0, new_year=4.0,
             weekend_night=1.0, lockdown=0.3, project=True),
    Category("fraud", (("Oplichting", 0.6), ("Informaticabedrog", 0.4)), 3.0, 0.08, FLAT, OFFICE,
             OFFICE_HOURS, (0.0, 0.0, 0.0, 1.0), 5760, risk_power=0.0),
    Category("public_order", (("Openbare orde", 1.0),), 0.8, 0.0, WARM, WEEKEND, NIGHT,
             (0.3, 0.4, 0.3, 0.0), 5, centre=2.0, carnival=6.0, new_year=3.0,
             weekend_night=1.5, lockdown=0.5),
    Category("weapons", (("Wapens", 1.0),), 0.3, 0.0, FLAT, WEEKEND, NIGHT,
             (0.4, 0.3, 0.2, 0.1), 5, centre=1.5),
    Category("other_crime", (("Andere misdrijven", 1.0),), 4.0, 0.0, FLAT, OFFICE, DAY,
             (0.05, 0.1, 0.3, 0.55), 1440),
    Category("traffic_accident_injury", (("Verkeersongeval met letsels", 1.0),), 4.0, -0.02,
             TRAFFIC, WORKDAYS, COMMUTE, (0.75, 0.2, 0.05, 0.0), 3, risk_power=0.3,
             lockdown=0.5),
)

#: Streets in the centre wijken of Aalst.
CENTRE_STREETS = (
    "Grote Markt", "Kattestraat", "Nieuwstraat", "Molenstraat", "Stationsplein", "Hopmarkt",
    "Pontstraat", "Kerkstraat", "Korte Zoutstraat", "Lange Zoutstraat", "Esplanadeplein",
    "Vredeplein", "Werfplein", "Graanmarkt", "Houtmarkt", "Sint-Martensplein", "Keizersplein",
    "Priester Daensplein", "Dirk Martensstraat", "Zwarte Zustersstraat", "Gentsestraat",
    "Kapellestraat", "Frits Van den Berghelaan", "Leopoldlaan", "Vrijheidstraat",
    "Ridderstraat", "Louis D'Haeseleerstraat", "Sint-Jorisstraat", "Houtkaai",
    "Zonnestraat", "Zénobe Grammestraat", "Félix de Hemptinnestraat",
)
#: Streets elsewhere (a Flemish mix, some with accents: the export is Windows-1252).
OTHER_STREETS = (
    "Gentsesteenweg", "Brusselsesteenweg", "Dendermondsesteenweg", "Erembodegemstraat",
    "Geraardsbergsestraat", "Affligemdreef", "Hoezekouter", "Botermelkstraat", "Oude Gentbaan",
    "Nachtegaalstraat", "Kortrijksestraat", "Dorpsstraat", "Stationsstraat",
    "Kouterstraat", "Schoolstraat", "Meersstraat", "Beekstraat", "Kasteelstraat", "Veldstraat",
    "Bergstraat", "Hofstraat", "Lindenlaan", "Populierenlaan", "Eikenlaan", "Heirbaan",
    "Processiestraat", "Kapelleweg", "Wijngaardstraat", "Boudewijnlaan",
    "Désiré Mergaertstraat", "René Declercqstraat", "Émile Verhaerenlaan", "Hélène Dutrieulaan",
    "Gérard Walschapstraat", "Félix Timmermanslaan", "Cyriel Buyssestraat", "Guido Gezellestraat",
    "Hendrik Consciencestraat", "Pieter Daensstraat", "Dokter De Moorstraat", "Meuleschettestraat",
    "Kravaalbos", "Hogeweg", "Zavelstraat", "Hekelstraat", "Bosstraat", "Blekerijstraat",
    "Sint-Annalaan", "Sint-Camillusstraat", "Oude Abdijstraat", "Watermolenstraat",
    "Pastorijstraat", "Molenberg", "Ninovestraat", "Vijverstraat", "Gasthuisstraat",
    "Brouwerijstraat", "Spoorwegstraat", "Klaproosstraat", "Leliestraat", "Kerselarenstraat",
)

#: The streets of the Ten Rozen project sectors.
PROJECT_STREETS = ("Ten Rozen", "Rozendreef", "Ledebaan")


@dataclass(frozen=True)
class Streets:
    """The streets of every sector as one flat list: sector ``i`` owns
    ``names[start[i]:start[i] + count[i]]``."""

    names: np.ndarray
    start: np.ndarray
    count: np.ndarray

    def pick(self, rng: np.random.Generator, sector_ix: np.ndarray) -> np.ndarray:
        """A random street of each given sector."""
        offset = (rng.random(len(sector_ix)) * self.count[sector_ix]).astype(np.int64)
        return self.names[self.start[sector_ix] + offset]


def sector_streets(city: City) -> Streets:
    """Three to eight streets per sector, from the city's seed: the same in every source. The
    project sectors hold ``PROJECT_STREETS`` (Ten Rozen, Rozendreef, Ledebaan)."""
    rng = np.random.default_rng([city.seed, 77])
    count = rng.integers(3, 9, len(city.sectors))
    names: list[str] = []
    for sector, n in zip(city.sectors, count, strict=True):
        pool = CENTRE_STREETS if sector.centre else OTHER_STREETS
        own = list(PROJECT_STREETS) if sector.project else []
        picks = rng.choice(len(pool), int(n) - len(own), replace=False)
        names += own + [pool[i] for i in picks]
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    return Streets(np.array(names, dtype=StringDType()), start, count)


class Calendar:
    """Day-level factors the generators share: carnival, lockdowns, New Year, project ramp."""

    def __init__(self, city: City) -> None:
        self.city = city
        self.carnival = np.array(
            [d for y in city.years if y not in CARNIVAL_CANCELLED for d in city.carnival(y)],
            dtype="datetime64[D]",
        )
        self.lockdown_months = np.array(list(LOCKDOWN), dtype="datetime64[M]")
        self.lockdown_values = np.array(list(LOCKDOWN.values()))
        self.start = np.datetime64(city.start, "D")
        self.project_start = np.datetime64(city.project_start, "D")
        self.centre = np.array([s.centre for s in city.sectors])
        self.project = np.array([s.project for s in city.sectors])
        #: Sector group: 0 plain, 1 centre, 2 project, 3 centre and project.
        self.group = self.centre.astype(int) + 2 * self.project.astype(int)
        self.risk = np.array([s.risk for s in city.sectors])
        #: Each sector's wijk as a number (for the extra variation shared by a wijk).
        self.wijk = np.unique([s.wijk for s in city.sectors], return_inverse=True)[1]
        codes = [s.code for s in city.sectors]
        self.codes = np.array(codes, dtype=StringDType())
        self._population: dict[int, np.ndarray] = {}
        self._cache: dict[object, np.ndarray] = {}

    def months_to_end(self, days: np.ndarray) -> int:
        """How many months ``days`` (one month) lies before the data's last month (0: it is
        the last)."""
        last = np.datetime64(self.city.end, "M")
        return int((last - days[0].astype("datetime64[M]")).astype(int))

    def cached(self, key: object, make: Callable[[], np.ndarray]) -> np.ndarray:
        """``make()``, computed once per ``key`` for this calendar."""
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def months(self) -> Iterator[np.ndarray]:
        """The days of each month of the data, month after month."""
        first = np.datetime64(self.city.start, "M")
        last = np.datetime64(self.city.end, "M")
        for month in np.arange(first, last + 1):
            yield np.arange(month.astype("datetime64[D]"), (month + 1).astype("datetime64[D]"))

    def population(self, year: int) -> np.ndarray:
        """Inhabitants per sector on 1 January of ``year`` (in sector order)."""
        if year not in self._population:
            pop = self.city.population(year)
            self._population[year] = np.array([pop[s.code][0] for s in self.city.sectors],
                                              dtype=float)
        return self._population[year]

    def lockdown(self, days: np.ndarray) -> np.ndarray:
        """The activity level of each day's month (1 outside the lockdown months)."""
        months = days.astype("datetime64[M]")
        out = np.ones(len(days))
        for month, value in zip(self.lockdown_months, self.lockdown_values, strict=True):
            out[months == month] = value
        return out

    def is_carnival(self, days: np.ndarray) -> np.ndarray:
        """Whether each day is a carnival day (Sunday to Tuesday, cancelled years excluded)."""
        return np.isin(days, self.carnival)

    def years_since_start(self, days: np.ndarray) -> np.ndarray:
        """Fractional years from the first day of the data."""
        return (days - self.start).astype(float) / 365.25

    def project_ramp(self, days: np.ndarray) -> np.ndarray:
        """0 before the project start, rising to 1 half a year after it."""
        since = (days - self.project_start).astype(float)
        return np.clip(since / 182.0, 0.0, 1.0) * (since >= 0)


def month_parts(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Month (1-12), weekday (0 = Monday) and year of each day."""
    months = days.astype("datetime64[M]").astype(int)
    weekday = (days.astype(int) + 3) % 7
    return months % 12 + 1, weekday, months // 12 + 1970


def pick_rows(rng: np.random.Generator, weights: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For each event, an index drawn from ``weights[rows[i]]`` (a matrix of row weights)."""
    cum = np.cumsum(weights, axis=1)
    cum /= cum[:, -1:]
    u = rng.random(len(rows))
    return np.minimum((cum[rows] <= u[:, None]).sum(axis=1), weights.shape[1] - 1)


def hour_matrix(hours: tuple[float, ...], weekend_night: float) -> np.ndarray:
    """Hour weights per weekday (7 x 24): the nights to Saturday and Sunday (Friday and Saturday
    from 22h, Saturday and Sunday until 5h) weigh ``1 + weekend_night`` times more."""
    m = np.tile(np.array(hours, dtype=float), (7, 1))
    m[[4, 5], 22:] *= 1 + weekend_night
    m[[5, 6], :5] *= 1 + weekend_night
    return m


def sector_factor(cat_power: float, centre_factor: float, cal: Calendar,
                  hotspot: float = 1.0, project: bool = False) -> np.ndarray:
    """A category's relative intensity per inhabitant of each sector, averaging 1 per
    inhabitant over the city (population of the first year)."""
    f = cal.risk ** cat_power * np.where(cal.centre, centre_factor, 1.0)
    if project:
        f = f * np.where(cal.project, hotspot, 1.0)
    pop = cal.population(cal.city.start.year)
    return f * pop.sum() / (f * pop).sum()


@cache
def season_norm(season: tuple[float, ...], weekday: tuple[float, ...]) -> float:
    """The mean of month x weekday weights over a year of days (to keep the yearly rate)."""
    days = np.arange(np.datetime64("2019-01-01"), np.datetime64("2023-01-01"))
    month, wday, _ = month_parts(days)
    return float(np.mean(np.array(season)[month - 1] * np.array(weekday)[wday]))


#: Extra-Poisson variation: every month each event kind's expected counts are multiplied by a
#: gamma factor with mean 1 for the whole city (coefficient of variation CITY_CV) and one per
#: wijk (WIJK_CV), so counts are negative binomial like real ones: a dispersion (variance over
#: mean) of about 1.1-1.3 for a wijk and 1.2-2 for the city, rising with the count, as in the
#: police.uk data (Lancashire 2022: 1.1-2.3).
CITY_CV = 0.08
WIJK_CV = 0.2

#: The project hotspot: the Ten Rozen sectors' extra burglary and vandalism before the project.
HOTSPOT = 4.0
#: The extra fall of burglary and vandalism in the project sectors once the project runs.
PROJECT_EFFECT = 0.5

#: A recent outbreak the early warning should raise: thefts from vehicles in one wijk (the
#: second in code order) run at 2.5 times their usual level in the data's last month but one and
#: at five times in its last month.
OUTBREAK = (5.0, 2.5)
OUTBREAK_WIJK = 1


class Pattern(Protocol):
    """How a kind of event occurs: what :func:`draw_events` reads (incident categories
    and nuisance types)."""

    rate: float
    trend: float
    season: tuple[float, ...]
    weekday: tuple[float, ...]
    carnival: float
    new_year: float
    lockdown: float
    project: bool


def draw_events(cat: Pattern, cal: Calendar, rng: np.random.Generator, days: np.ndarray,
                factor: np.ndarray, norm: float, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """The events of an event kind in the days of one month, as (day index, sector index).

    Expected counts per (day, sector): yearly rate x trend x month and weekday profile /
    ``norm`` x lockdown and New Year factors, x carnival (centre sectors) and project (project
    sectors) factors, x inhabitants x sector ``factor``, x this month's gamma factors of the
    city and of the sector's wijk (:data:`CITY_CV`, :data:`WIJK_CV`). Drawn as a Poisson total
    per sector and a day for each event from its sector group's day profile (the same
    distribution as a Poisson draw per day and sector, at a cost that grows with the events,
    not the cells).
    """
    month, wday, year = month_parts(days)
    t = cal.years_since_start(days)
    daily = (cat.rate * scale / 1000 / 365.25 * (1 + cat.trend) ** t
             * np.array(cat.season)[month - 1] * np.array(cat.weekday)[wday] / norm)
    daily *= 1 - cat.lockdown * (1 - cal.lockdown(days))
    new_year = (days - days.astype("datetime64[Y]")).astype(int) == 0
    daily *= np.where(new_year, cat.new_year, 1.0)
    # day profiles of the four sector groups: plain, centre, project, centre and project
    profiles = np.tile(daily, (4, 1))
    if cat.carnival != 1.0:
        profiles[1::2] *= np.where(cal.is_carnival(days), cat.carnival, 1.0)
    if cat.project:
        profiles[2:] *= 1 - PROJECT_EFFECT * cal.project_ramp(days)
    totals = profiles.sum(axis=1)
    base = cal.population(int(year[0])) * factor
    city = rng.gamma(1 / CITY_CV ** 2, CITY_CV ** 2)
    wijk = rng.gamma(1 / WIJK_CV ** 2, WIJK_CV ** 2, size=int(cal.wijk.max()) + 1)
    back = cal.months_to_end(days)
    if getattr(cat, "outbreak", False) and back < len(OUTBREAK):
        wijk[min(OUTBREAK_WIJK, len(wijk) - 1)] *= OUTBREAK[back]  # a one-wijk town: its own
    counts = rng.poisson(base * totals[cal.group] * city * wijk[cal.wijk])
    sector_ix = np.repeat(np.arange(len(base)), counts)
    day_ix = pick_rows(rng, profiles, cal.group[sector_ix])
    return day_ix, sector_ix


def _format_minutes(stamps: np.ndarray) -> np.ndarray:
    """``dd/mm/yyyy HH:MM`` of datetime64[m] values (empty for NaT), vectorised."""
    out = np.full(len(stamps), "", dtype=StringDType())
    ok = ~np.isnat(stamps)
    if not ok.any():
        return out
    iso = np.datetime_as_string(stamps[ok], unit="m").astype("S16")
    chars = iso.view(np.uint8).reshape(-1, 16)[:, [8, 9, 4, 5, 6, 7, 0, 1, 2, 3, 10, 11, 12,
                                                      13, 14, 15]].copy()
    chars[:, [2, 5]] = ord("/")
    chars[:, 10] = ord(" ")
    out[ok] = np.ascontiguousarray(chars).view("S16").ravel().astype(StringDType())
    return out


def lognormal(rng: np.random.Generator, median: np.ndarray | float, sigma: float,
              n: int) -> np.ndarray:
    """``n`` log-normal draws around ``median`` (scalar or per draw) with log-sd ``sigma``."""
    return np.asarray(median) * np.exp(sigma * rng.standard_normal(n))


def month_incidents(cal: Calendar, rng: np.random.Generator, days: np.ndarray, scale: float,
                    streets: Streets) -> dict[str, np.ndarray]:
    """Every incident occurring in one month (columns as arrays), in order of occurrence."""
    parts: list[dict[str, np.ndarray]] = []
    for k, cat in enumerate(CATEGORIES):
        factor = cal.cached(("incident", k), lambda c=cat: sector_factor(
            c.risk_power, c.centre, cal, HOTSPOT, c.project))
        norm = season_norm(cat.season, cat.weekday)
        day_ix, sector_ix = draw_events(cat, cal, rng, days, factor, norm, scale)
        n = len(day_ix)
        if n == 0:
            continue
        _, wday, _ = month_parts(days[day_ix])
        hour = pick_rows(rng, hour_matrix(cat.hours, cat.weekend_night), wday)
        occurred = (days[day_ix].astype("datetime64[m]") + hour * 60
                    + rng.integers(0, 60, n))
        priority = pick_rows(rng, np.array([cat.priority]), np.zeros(n, dtype=int)) + 1
        label_ix = pick_rows(rng, np.array([[s for _, s in cat.labels]]), np.zeros(n, dtype=int))
        delay = np.round(lognormal(rng, cat.delay * np.array(DELAY_BY_PRIORITY)[priority - 1],
                                    0.9, n))
        reported = occurred + delay.astype("timedelta64[m]")
        parts.append({
            "category": np.full(n, k), "label": label_ix, "occurred": occurred,
            "reported": reported, "priority": priority, "sector": sector_ix,
        })
    if not parts:
        return {}
    cols = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    order = np.lexsort((cols["sector"], cols["category"], cols["occurred"]))
    cols = {key: v[order] for key, v in cols.items()}
    _interventions(cal, rng, cols)
    cols["street"] = streets.pick(rng, cols["sector"])
    return cols


def _interventions(cal: Calendar, rng: np.random.Generator, cols: dict[str, np.ndarray]) -> None:
    """Dispatch and arrival times: priorities 1 and 2 always, 3 often, 4 never. Arrival (call
    to on site) improves 1.2 % a year; the centre is reached faster, the outskirts slower."""
    n = len(cols["priority"])
    p = cols["priority"] - 1
    goes = (p <= 1) | ((p == 2) & (rng.random(n) < P3_INTERVENTION))
    days = cols["occurred"].astype("datetime64[D]")
    improve = 1 - 0.012 * cal.years_since_start(days)
    where = np.where(cal.centre[cols["sector"]], 0.85, 1.1)
    to_dispatch = np.ceil(lognormal(rng, np.array([1.5, 3.0, 20.0, 1.0])[p], 0.5, n))
    travel = np.ceil(lognormal(rng, np.array([9.0, 14.0, 25.0, 1.0])[p] * improve * where,
                                0.45, n))
    dispatched = cols["reported"] + to_dispatch.astype("timedelta64[m]")
    arrived = dispatched + travel.astype("timedelta64[m]")
    nat = np.datetime64("NaT", "m")
    cols["dispatched"] = np.where(goes, dispatched, nat)
    cols["arrived"] = np.where(goes, arrived, nat)


def _lines(cols: dict[str, np.ndarray], cal: Calendar, numbers: np.ndarray,
           years: np.ndarray) -> str:
    """The CSV lines (CRLF) of a month of incidents."""
    labels = [[label for label, _ in cat.labels] for cat in CATEGORIES]
    width = max(len(labels_of) for labels_of in labels)
    table = np.array([row + [""] * (width - len(row)) for row in labels], dtype=StringDType())
    label = table[cols["category"], cols["label"]]
    pv = (PV_PREFIX + np.strings.zfill(numbers.astype(StringDType()), 6) + "/"
          + years.astype(StringDType()))
    fields = [pv, label, _format_minutes(cols["occurred"]), _format_minutes(cols["reported"]),
              cols["priority"].astype(StringDType()), _format_minutes(cols["dispatched"]),
              _format_minutes(cols["arrived"]), cal.codes[cols["sector"]], cols["street"]]
    line = fields[0]
    for f in fields[1:]:
        line = line + ";" + f
    return "\r\n".join(line.tolist()) + "\r\n"


def write_incidents(city: City, path: Path, seed: int, scale: float = 1.0) -> int:
    """Write the police export of ``city`` to ``path``; return the number of incidents.

    ``scale`` multiplies the rates (and so the rows) without changing the city.
    """
    rng = np.random.default_rng([seed, 1])
    cal = Calendar(city)
    streets = sector_streets(city)
    closing = np.datetime64(city.end + dt.timedelta(days=1), "m")
    counter: dict[int, int] = {}
    written = 0
    with open(path, "wb") as fh:
        fh.write((";".join(HEADER) + "\r\n").encode("cp1252"))
        for days in cal.months():
            cols = month_incidents(cal, rng, days, scale, streets)
            if not cols:
                continue
            known = cols["reported"] < closing
            cols = {key: v[known] for key, v in cols.items()}
            years = cols["occurred"].astype("datetime64[Y]").astype(int) + 1970
            numbers = np.empty(len(years), dtype=np.int64)
            for year in np.unique(years):
                mask = years == year
                first = counter.get(int(year), 0)
                numbers[mask] = first + 1 + np.arange(int(mask.sum()))
                counter[int(year)] = first + int(mask.sum())
            fh.write(_lines(cols, cal, numbers, years).encode("cp1252"))
            written += len(years)
    return written
