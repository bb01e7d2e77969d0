"""The demo nuisance register: the city's registration of nuisance reports (XLSX with a title
row above the header; CSV at national scale, beyond a worksheet's million rows).

Per month x sector x type, a Poisson draw from a rate per 1,000 inhabitants with its season,
concentrated in the centre, with a carnival surcharge; closing times in days (log-normal,
slowly faster), the channel of the report, and an administrative fine (GAS) for a rising share
of litter, noise and parking reports.
"""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from etl.demo.city import City
from etl.demo.workbook import save_reproducible

HEADER = ["Meldingsnummer", "Type overlast", "Gemeld op", "Afgesloten op", "Kanaal", "GAS-boete",
          "Statistische sector", "Straat"]
CHANNELS = np.array(["telefoon", "e-mail", "app", "loket", "politie"])
_CHANNEL_P = np.array([0.3, 0.2, 0.25, 0.1, 0.15])

_SUMMER = np.array([0.6, 0.6, 0.8, 1.0, 1.2, 1.4, 1.5, 1.45, 1.15, 0.9, 0.7, 0.65])
_SPRING = np.array([0.8, 0.85, 1.1, 1.3, 1.25, 1.1, 1.0, 1.0, 1.0, 0.95, 0.85, 0.8])
_FLAT = np.ones(12)

# label, rate per 1,000 a year, centre exponent, season, trend a year, fine share start, carnival
TYPES = [
    ("Geluidsoverlast", 7.0, 1.2, _SUMMER, -0.01, 0.05, 1.2),
    ("Sluikstort/zwerfvuil", 10.0, 0.6, _SPRING, 0.02, 0.10, 0.8),
    ("Graffiti", 2.5, 1.3, _FLAT, -0.02, 0.0, 0.3),
    ("Rondhangende jongeren", 3.5, 1.0, _SUMMER, -0.01, 0.0, 0.4),
    ("Drugsoverlast", 2.0, 1.6, _SUMMER, 0.0, 0.0, 0.2),
    ("Parkeeroverlast", 5.0, 1.1, _FLAT, 0.01, 0.2, 0.5),
    ("Dierenoverlast", 1.5, 0.3, _SUMMER, 0.0, 0.0, 0.0),
    ("Andere", 2.0, 0.5, _FLAT, 0.0, 0.0, 0.0),
]
_FINED = {"Geluidsoverlast", "Sluikstort/zwerfvuil", "Parkeeroverlast"}
_STREETS = ["Grote Markt", "Stationsplein", "Esplanadeplein", "Hopmarkt", "Kerkstraat",
            "Molenstraat", "Nieuwstraat", "Zonnestraat", "Kattestraat", "Gentsesteenweg",
            "Brusselsesteenweg", "Leopoldlaan", "Parklaan", "Rozendreef", "Ten Rozen",
            "Sint-Annalaan", "Hof ter Zielbeke", "Désiré Pletinckxstraat"]


def _draw(city: City, rng: np.random.Generator, scale: float) -> pd.DataFrame:
    codes = np.array([s.code for s in city.sectors])
    risk = np.array([s.risk for s in city.sectors])
    centre = np.array([s.centre for s in city.sectors])
    parts = []
    for year in city.years:
        pop = city.population(year)
        people = np.array([pop[c][0] for c in codes], float)
        k = year - city.start.year
        for ti, (_, rate, conc, season, trend, _, carnival) in enumerate(TYPES):
            w = risk ** conc
            base = rate / 1000 * people * w / ((people * w).sum() / people.sum())
            base *= scale * (1 + trend) ** k
            for m in range(1, 13):
                first = dt.date(year, m, 1)
                if not city.start <= first <= city.end:
                    continue
                days = calendar.monthrange(year, m)[1]
                counts = rng.poisson(base / 12 * season[m - 1])
                n = int(counts.sum())
                day = rng.integers(0, days, size=n)
                sector = np.repeat(codes, counts)
                cdays = [d for d in city.carnival(year) if d.month == m]
                if carnival and cdays:
                    extra = rng.poisson(np.where(centre, carnival * len(cdays) * scale, 0.0))
                    sector = np.concatenate([sector, np.repeat(codes, extra)])
                    day = np.concatenate([day, rng.choice([d.day - 1 for d in cdays],
                                                          size=int(extra.sum()))])
                n = len(sector)
                minutes = rng.integers(7 * 60, 23 * 60, size=n)
                reported = (np.datetime64(first, "m") + day.astype("timedelta64[D]")
                            + minutes.astype("timedelta64[m]"))
                parts.append(pd.DataFrame({"type": ti, "sector": sector, "reported": reported,
                                           "k": k}))
    df = pd.concat(parts, ignore_index=True).sort_values(["reported", "sector", "type"],
                                                         kind="stable")
    n = len(df)
    close_days = rng.lognormal(np.log(9.0) - 0.03 * df["k"].to_numpy(), 0.8, size=n)
    closed = df["reported"].to_numpy() + (close_days * 24 * 60).astype("timedelta64[m]")
    df["closed"] = np.where(closed <= np.datetime64(city.end) + np.timedelta64(1, "D"), closed,
                            np.datetime64("NaT"))
    df["channel"] = CHANNELS[rng.choice(len(CHANNELS), size=n, p=_CHANNEL_P)]
    share = np.array([TYPES[t][5] for t in df["type"].to_numpy()]) * (1 + 0.12 * df["k"])
    fined = (rng.random(n) < share) & df["closed"].notna().to_numpy()
    df["fine"] = np.where(fined, "ja", "nee")
    df["street"] = np.array(_STREETS)[rng.integers(0, len(_STREETS), size=n)]
    return df[df["reported"] <= np.datetime64(city.end) + np.timedelta64(1, "D")]


def write_nuisance_register(city: City, path: Path, seed: int, scale: float = 1.0) -> int:
    """Write the register (XLSX, or CSV when ``path`` ends in .csv); return the reports."""
    df = _draw(city, np.random.default_rng([seed, 2]), scale)
    labels = np.array([t[0] for t in TYPES])
    ids = [f"MLD-{i + 1:07d}" for i in range(len(df))]
    if path.suffix == ".csv":
        out = pd.DataFrame({
            HEADER[0]: ids, HEADER[1]: labels[df["type"].to_numpy()],
            HEADER[2]: df["reported"].dt.strftime("%d/%m/%Y %H:%M"),
            HEADER[3]: df["closed"].dt.strftime("%d/%m/%Y %H:%M").fillna(""),
            HEADER[4]: df["channel"], HEADER[5]: df["fine"], HEADER[6]: df["sector"],
            HEADER[7]: df["street"],
        })
        out.to_csv(path, sep=";", index=False, encoding="utf-8", lineterminator="\n")
        return len(df)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Meldingen")
    ws.append([f"Overlastmeldingen stad Aalst {city.start:%d/%m/%Y} - {city.end:%d/%m/%Y}"])
    ws.append(HEADER)
    reported = df["reported"].dt.to_pydatetime()
    closed = [None if pd.isna(c) else c.to_pydatetime() for c in df["closed"]]
    for row in zip(ids, labels[df["type"].to_numpy()], reported, closed, df["channel"],
                   df["fine"], df["sector"], df["street"], strict=True):
        ws.append(list(row))
    save_reproducible(wb, path, dt.datetime.combine(city.end + dt.timedelta(days=1), dt.time()))
    return len(df)
