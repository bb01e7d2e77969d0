"""Demo nuisance registration: the reports of nuisance (*overlast*) the city registers (XLSX).

Format (``meldingen_overlast.xlsx``, one sheet "Meldingen", profile ``be-meldingen``): a title
row, then the header::

    Meldingsnummer | Type overlast | Gemeld op | Afgesloten op | Kanaal | GAS-boete |
    Statistische sector | Straat

- ``Meldingsnummer``: ``OVL-<year>-<number>``, numbered per year in order of reporting;
- ``Type overlast``: Geluidsoverlast, Sluikstort/zwerfvuil, Graffiti, Rondhangende jongeren,
  Drugsoverlast, Parkeeroverlast, Dierenoverlast or Andere;
- ``Gemeld op``, ``Afgesloten op``: Excel date-times (shown ``dd/mm/yyyy hh:mm``); closed on a
  working day during office hours; empty while the report is still open at the export date
  (and for about 1 % that was never closed);
- ``Kanaal``: telefoon, e-mail, app (the city's reporting app, launched in the third year and
  taking a growing share), loket (weekdays 9-16h only) or politie (reported by a patrol, more at
  night);
- ``GAS-boete``: ``ja`` when a municipal administrative fine followed (only for closed reports;
  a rising share for litter and dumping, parking and, less, noise), else ``nee``;
- ``Statistische sector``: the sector code; ``Straat``: the street.

Volumes: about 34 reports per 1,000 inhabitants a year (some 3,000 a year for Aalst), rising
slowly as the app makes reporting easier. Noise and loitering peak in summer and on weekend
evenings, litter and dumping all year with a spring peak (reported on Mondays after the
weekend), the carnival days bring noise and litter in the centre wijken; lockdowns brought more
neighbour noise and loitering and less parking nuisance. The Ten Rozen sectors are a hotspot
(four times) of litter, graffiti and loitering until the project start, after which these fall
40 % more than elsewhere. Closing times are log-normal per type (noise about two days, drug
nuisance two weeks).

The same city and seed give the same bytes (the workbook's timestamps and zip dates are fixed);
rows are generated and streamed to the write-only workbook month by month. A ``.csv`` path
gives the same reports as a UTF-8 ``;``-separated export with day-first date-times (the
national-scale demo holds more reports than a worksheet's million rows); the same profile
reads both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from core.workbook import save_reproducible
from etl.demo.city import City
from etl.demo.incidents import (
    DAY,
    EVENING,
    FLAT,
    HOTSPOT,
    NIGHT,
    WARM,
    WEEKEND,
    WORKDAYS,
    Calendar,
    draw_events,
    hour_matrix,
    lognormal,
    month_parts,
    pick_rows,
    season_norm,
    sector_factor,
    sector_streets,
)

HEADER = ["Meldingsnummer", "Type overlast", "Gemeld op", "Afgesloten op", "Kanaal",
          "GAS-boete", "Statistische sector", "Straat"]
CHANNELS = ("telefoon", "e-mail", "app", "loket", "politie")
DATE_FORMAT = "dd/mm/yyyy hh:mm"

#: By month, January first.
NOISE_SEASON = (0.75, 0.7, 0.8, 0.95, 1.1, 1.35, 1.5, 1.45, 1.1, 0.85, 0.75, 0.9)
LOITER_SEASON = (0.6, 0.6, 0.8, 1.0, 1.2, 1.4, 1.5, 1.5, 1.1, 0.9, 0.7, 0.7)
SPRING = (0.85, 0.9, 1.2, 1.3, 1.25, 1.05, 1.0, 0.95, 0.95, 0.9, 0.85, 0.8)
ANIMAL_SEASON = (0.8, 0.8, 1.0, 1.15, 1.2, 1.15, 1.1, 1.05, 1.0, 0.95, 0.9, 0.8)
#: By weekday, Monday first.
NOISE_DAYS = (0.8, 0.8, 0.85, 0.9, 1.2, 1.5, 1.2)
AFTER_WEEKEND = (1.4, 1.1, 1.0, 1.0, 1.0, 0.8, 0.7)
ALL_WEEK = (1.0,) * 7
#: By hour, midnight first.
NOISE_HOURS = (2.2, 1.8, 1.2, 0.6, 0.3, 0.2, 0.2, 0.3, 0.5, 0.6, 0.7, 0.7,
               0.7, 0.7, 0.7, 0.8, 0.9, 1.0, 1.1, 1.3, 1.6, 2.0, 2.4, 2.5)


@dataclass(frozen=True)
class NuisanceType:
    """How one type of nuisance is reported (rate per 1,000 inhabitants a year)."""

    label: str
    rate: float  # in the first year of the data
    trend: float  # yearly relative change
    season: tuple[float, ...]
    weekday: tuple[float, ...]
    hours: tuple[float, ...]
    close_days: float  # median days to close
    gas: tuple[float, float]  # share fined, first and last year of the data
    channels: tuple[float, float, float, float, float]  # weights of CHANNELS
    risk_power: float = 1.0
    centre: float = 1.0
    carnival: float = 1.0
    new_year: float = 1.0
    weekend_night: float = 0.0
    lockdown: float = 0.0  # 1: falls with lockdown activity; negative: rises
    project: bool = False  # Ten Rozen hotspot, target of the project


TYPES: tuple[NuisanceType, ...] = (
    NuisanceType("Geluidsoverlast", 8.0, -0.01, NOISE_SEASON, NOISE_DAYS, NOISE_HOURS, 1.5,
                 (0.03, 0.08), (0.35, 0.15, 0.15, 0.05, 0.30), risk_power=0.8, centre=1.5,
                 carnival=6.0, new_year=4.0, weekend_night=0.8, lockdown=-0.3),
    NuisanceType("Sluikstort/zwerfvuil", 10.0, 0.02, SPRING, AFTER_WEEKEND, DAY, 3.0,
                 (0.08, 0.28), (0.30, 0.30, 0.25, 0.10, 0.05), risk_power=0.5, centre=0.9,
                 carnival=5.0, lockdown=-0.2, project=True),
    NuisanceType("Graffiti", 2.5, -0.02, FLAT, ALL_WEEK, DAY, 12.0, (0.03, 0.06),
                 (0.30, 0.35, 0.20, 0.10, 0.05), centre=2.0, carnival=2.0, project=True),
    NuisanceType("Rondhangende jongeren", 3.0, 0.0, LOITER_SEASON, WEEKEND, EVENING, 7.0,
                 (0.02, 0.05), (0.45, 0.10, 0.10, 0.05, 0.30), centre=1.3, carnival=3.0,
                 weekend_night=0.5, lockdown=-0.4, project=True),
    NuisanceType("Drugsoverlast", 1.5, -0.02, WARM, WEEKEND, NIGHT, 14.0, (0.0, 0.0),
                 (0.40, 0.20, 0.10, 0.05, 0.25), risk_power=1.3, centre=3.0),
    NuisanceType("Parkeeroverlast", 5.0, 0.02, FLAT, WORKDAYS, DAY, 2.0, (0.30, 0.45),
                 (0.35, 0.20, 0.25, 0.05, 0.15), risk_power=0.3, centre=1.8, lockdown=0.4),
    NuisanceType("Dierenoverlast", 2.0, 0.0, ANIMAL_SEASON, ALL_WEEK, DAY, 10.0, (0.03, 0.08),
                 (0.40, 0.30, 0.20, 0.10, 0.0), risk_power=0.0, centre=0.7),
    NuisanceType("Andere", 2.0, 0.0, FLAT, ALL_WEEK, DAY, 10.0, (0.0, 0.0),
                 (0.35, 0.35, 0.15, 0.15, 0.0), risk_power=0.5, carnival=3.0),
)
#: Share of reports never closed in the registration.
NEVER_CLOSED = 0.01
#: Years after the data starts when the reporting app was launched, and took its full share.
APP_LAUNCH, APP_FULL = 2.0, 6.0


def month_reports(cal: Calendar, rng: np.random.Generator, days: np.ndarray
                  ) -> dict[str, np.ndarray]:
    """Every report of one month (columns as arrays), in order of reporting."""
    parts: list[dict[str, np.ndarray]] = []
    for k, kind in enumerate(TYPES):
        factor = cal.cached(("nuisance", k), lambda c=kind: sector_factor(
            c.risk_power, c.centre, cal, HOTSPOT, c.project))
        norm = season_norm(kind.season, kind.weekday)
        day_ix, sector_ix = draw_events(kind, cal, rng, days, factor, norm, 1.0)
        n = len(day_ix)
        if n == 0:
            continue
        _, wday, _ = month_parts(days[day_ix])
        hour = pick_rows(rng, hour_matrix(kind.hours, kind.weekend_night), wday)
        reported = (days[day_ix].astype("datetime64[m]") + hour * 60 + rng.integers(0, 60, n))
        parts.append({"type": np.full(n, k), "reported": reported, "sector": sector_ix,
                      "hour": hour, "wday": wday})
    if not parts:
        return {}
    cols = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    order = np.lexsort((cols["sector"], cols["type"], cols["reported"]))
    return {key: v[order] for key, v in cols.items()}


def _channels(cal: Calendar, rng: np.random.Generator, cols: dict[str, np.ndarray]
              ) -> np.ndarray:
    """The channel index of each report: the type's mix, the app growing after its launch,
    the desk only on weekdays 9-16h, the police more and the phone less at night."""
    weights = np.array([t.channels for t in TYPES])[cols["type"]]
    t = cal.years_since_start(cols["reported"].astype("datetime64[D]"))
    weights[:, 2] *= np.clip((t - APP_LAUNCH) / (APP_FULL - APP_LAUNCH), 0.0, 1.0) * 2.0
    hour, wday = cols["hour"], cols["wday"]
    desk_open = (wday < 5) & (hour >= 9) & (hour < 16)
    weights[:, 3] *= desk_open
    night = (hour >= 22) | (hour < 7)
    weights[:, 4] *= np.where(night, 3.0, 1.0)
    weights[:, 0] *= np.where(night, 0.5, 1.0)
    return pick_rows(rng, weights, np.arange(len(hour)))


def _closing(rng: np.random.Generator, cols: dict[str, np.ndarray],
             export_end: np.datetime64) -> np.ndarray:
    """When each report was closed: after a log-normal number of days, on a working day
    between 8:30 and 16:30; NaT when still open at the export date or never closed."""
    n = len(cols["type"])
    median = np.array([t.close_days for t in TYPES])[cols["type"]]
    days_open = lognormal(rng, median, 1.0, n)
    day = (cols["reported"] + (days_open * 1440).astype("timedelta64[m]")).astype(
        "datetime64[D]")
    day = np.busday_offset(day, 0, roll="forward")
    closed = day.astype("datetime64[m]") + rng.integers(510, 990, n).astype("timedelta64[m]")
    too_soon = closed <= cols["reported"]
    quick = cols["reported"] + rng.integers(15, 240, n).astype("timedelta64[m]")
    closed = np.where(too_soon, quick, closed)
    still_open = (closed >= export_end) | (rng.random(n) < NEVER_CLOSED)
    return np.where(still_open, np.datetime64("NaT", "m"), closed)


def _fines(cal: Calendar, rng: np.random.Generator, cols: dict[str, np.ndarray],
           closed: np.ndarray) -> np.ndarray:
    """Whether a GAS fine followed: a share rising linearly over the ten years, closed only."""
    t = np.clip(cal.years_since_start(cols["reported"].astype("datetime64[D]")) / 10, 0, 1)
    first = np.array([g[0] for g in (k.gas for k in TYPES)])[cols["type"]]
    last = np.array([g[1] for g in (k.gas for k in TYPES)])[cols["type"]]
    share = first + (last - first) * t
    return (rng.random(len(t)) < share) & ~np.isnat(closed)


def _monthly(city: City, seed: int):
    """The register month by month: the reports' columns with channel, closing time, fine and
    street drawn (one seeded generator, so the XLSX and CSV forms hold the same reports)."""
    rng = np.random.default_rng([seed, 2])
    cal = Calendar(city)
    streets = sector_streets(city)
    export_end = np.datetime64(city.end + dt.timedelta(days=1), "m")
    for days in cal.months():
        cols = month_reports(cal, rng, days)
        if not cols:
            continue
        channel = _channels(cal, rng, cols)
        closed = _closing(rng, cols, export_end)
        fined = _fines(cal, rng, cols, closed)
        street = streets.pick(rng, cols["sector"])
        yield cols, channel, closed, fined, street


def write_nuisance(city: City, path: Path, seed: int) -> int:
    """Write the nuisance registration workbook of ``city`` to ``path``; return the reports.

    A ``.csv`` path gives the same register as a ';'-separated CSV export (the national-scale
    demo holds more reports than a worksheet's million rows).
    """
    if path.suffix.lower() == ".csv":
        return _write_csv(city, path, seed)
    stamp = dt.datetime.combine(city.end + dt.timedelta(days=1), dt.time(7, 0))
    labels = [t.label for t in TYPES]
    codes = [s.code for s in city.sectors]
    wb = Workbook(write_only=True)
    wb.properties.creator = "ivmonitor demo"
    wb.properties.created = stamp
    ws = wb.create_sheet("Meldingen")
    for col, width in zip("ABCDEFGH", (16, 24, 17, 17, 10, 10, 18, 28), strict=True):
        ws.column_dimensions[col].width = width
    ws.append([f"Meldingen overlast {city.name}, {city.start:%d/%m/%Y} - {city.end:%d/%m/%Y}"])
    ws.append(HEADER)
    counter: dict[int, int] = {}
    written = 0

    def when(value: dt.datetime | None) -> WriteOnlyCell | None:
        if value is None:
            return None
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE_FORMAT
        return cell

    for cols, channel, closed, fined, streets in _monthly(city, seed):
        street = streets.tolist()
        years = (cols["reported"].astype("datetime64[Y]").astype(int) + 1970).tolist()
        rows = zip(cols["type"].tolist(), cols["reported"].tolist(), closed.tolist(),
                   channel.tolist(), fined.tolist(), cols["sector"].tolist(), street, years,
                   strict=True)
        for kind, reported, closed_at, ch, fine, sector, street_name, year in rows:
            counter[year] = counter.get(year, 0) + 1
            ws.append([f"OVL-{year}-{counter[year]:05d}", labels[kind], when(reported),
                       when(closed_at), CHANNELS[ch], "ja" if fine else "nee", codes[sector],
                       street_name])
        written += len(years)
    save_reproducible(wb, path, stamp)
    return written


def _write_csv(city: City, path: Path, seed: int) -> int:
    """The register as CSV (UTF-8, ';', day-first date-times), month by month."""
    labels = np.array([t.label for t in TYPES])
    codes = np.array([s.code for s in city.sectors])
    written = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(";".join(HEADER) + "\n")
        for cols, channel, closed, fined, street in _monthly(city, seed):
            n = len(cols["type"])
            reported = pd.Series(cols["reported"]).dt.strftime("%d/%m/%Y %H:%M")
            closed_text = pd.Series(closed).dt.strftime("%d/%m/%Y %H:%M").fillna("")
            frame = pd.DataFrame({
                "id": [f"OVL-N-{written + i + 1:08d}" for i in range(n)],
                "type": labels[cols["type"]], "reported": reported.to_numpy(),
                "closed": closed_text.to_numpy(), "channel": np.array(CHANNELS)[channel],
                "fine": np.where(fined, "ja", "nee"), "sector": codes[cols["sector"]],
                "street": street,
            })
            frame.to_csv(fh, sep=";", header=False, index=False, lineterminator="\n")
            written += n
    return written
