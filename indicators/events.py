"""Events as data: their editions, when an event indicator's period is complete, and how an
edition compares with ordinary days and with the editions before it.

The editions live in the warehouse (``event_edition``, loaded with ``ivm load events``); an
event indicator counts only the days of the editions that were held (``indicators.compile``).

**Complete.** A period of an event indicator is complete when it holds at least one day of a
held edition and the source's deliveries cover every such day: carnival 2026 is complete once
its Tuesday lies before the cut-off, not only when the year ends; a year whose edition was
cancelled (2021) or not yet held is not complete, so it is never read as a drop.

**Ordinary days.** The same facts on the other days of the weeks (Monday to Sunday) that hold
an edition's days, as a rate per day: the edition's rate per day against it is the event's own
effect, free of the season and the trend. The test is the exact conditional test of two Poisson
rates (the edition's share of the facts of both, binomial given their total), as
``statsmodels.stats.rates.test_poisson_2indep(..., method='exact-cond')``; its interval is the
Clopper-Pearson interval of that share turned into a rate ratio.

**Earlier editions.** The edition's rate per day against the pooled rate per day of the (up to
:data:`EARLIER`) most recent complete editions held before it. Editions vary more than chance
alone (the weather, the day of the week); with three earlier editions their dispersion is
estimated (Pearson's statistic over their degrees of freedom, at least 1) and widens the
interval (quasi-Poisson, on the log rate ratio); with fewer the exact test is used.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import duckdb
from scipy import stats

from indicators.boundaries import closure_sql
from indicators.catalog import Indicator
from indicators.compile import daily_select, held_days, to_sql
from indicators.compute import coverage
from indicators.periods import Coverage
from indicators.reasons import event_words

#: How many earlier editions an edition is compared with (the most recent complete ones).
EARLIER = 3
#: Two-sided level of the intervals and tests.
ALPHA = 0.05


@dataclass(frozen=True)
class Edition:
    """One edition of an event as loaded."""

    event_id: str
    edition: str
    name_nl: str
    name_en: str
    first_day: dt.date
    last_day: dt.date
    area_id: str | None
    cancelled: bool
    note: str | None

    @property
    def days(self) -> list[dt.date]:
        """Every day of the edition, first to last."""
        return [self.first_day + dt.timedelta(days=i)
                for i in range((self.last_day - self.first_day).days + 1)]

    def name(self, lang: str) -> str:
        """The event's name in ``lang``."""
        return self.name_en if lang == "en" else self.name_nl


def editions(con: duckdb.DuckDBPyConnection, event_id: str | None = None) -> list[Edition]:
    """The loaded editions (of one event, or of all), by event and first day."""
    where, args = ("WHERE event_id = ?", [event_id]) if event_id else ("", [])
    return [Edition(*row) for row in con.execute(
        "SELECT event_id, edition, name_nl, name_en, first_day, last_day, area_id, cancelled, "
        f"note FROM event_edition {where} ORDER BY event_id, first_day", args).fetchall()]


def settle_completeness(con: duckdb.DuckDBPyConnection, catalog: dict[str, Indicator],
                        coverage: dict[str, Coverage], table: str = "indicator_value") -> None:
    """Mark each stored period of every event indicator complete exactly when it holds a day
    of a held edition and its source covers every such day (see the module doc)."""
    for ind in catalog.values():
        if ind.event is None or ind.source not in coverage:
            continue
        cov = coverage[ind.source]
        spans = cov.spans or ((cov.data_start, cov.cutoff),)
        covered = " OR ".join(
            f"(d.day BETWEEN DATE '{s.isoformat()}' AND DATE '{e.isoformat()}')" for s, e in spans)
        con.execute(
            f"""
            UPDATE {table} v SET complete = coalesce((
                SELECT count(*) > 0 AND bool_and({covered})
                FROM ({to_sql(held_days(ind.event))}) AS d(day)
                WHERE d.day BETWEEN v.period_start AND v.period_end), false)
            WHERE v.indicator_id = ?
            """, [ind.id])


@dataclass(frozen=True)
class RateRatio:
    """A rate per day against another: the ratio, its interval and the test's p-value."""

    ratio: float | None
    low: float | None
    high: float | None
    p_value: float | None
    phi: float = 1.0

    @property
    def clear(self) -> bool:
        """Whether the difference is more than chance (p below the level)."""
        return self.p_value is not None and self.p_value < ALPHA


def exact_rate_ratio(k1: float, d1: float, k2: float, d2: float) -> RateRatio:
    """(k1 / d1) / (k2 / d2) with the exact conditional test and Clopper-Pearson interval."""
    n = int(round(k1 + k2))
    if d1 <= 0 or d2 <= 0 or n == 0:
        return RateRatio(None, None, None, None)
    k = int(round(k1))
    share = d1 / (d1 + d2)
    p = float(stats.binomtest(k, n, share).pvalue)
    ci = stats.binomtest(k, n).proportion_ci(1 - ALPHA, method="exact")

    def ratio(q: float) -> float | None:
        return None if q >= 1 else q / (1 - q) * d2 / d1

    return RateRatio(None if k2 == 0 else (k1 / d1) / (k2 / d2), ratio(ci.low), ratio(ci.high),
                     p)


def quasi_rate_ratio(k1: float, d1: float, k2: float, d2: float, phi: float) -> RateRatio:
    """The rate ratio with the log ratio's variance widened by the dispersion ``phi``."""
    if phi <= 1.0:
        return exact_rate_ratio(k1, d1, k2, d2)
    if d1 <= 0 or d2 <= 0 or k2 <= 0:
        return RateRatio(None, None, None, None, phi)
    a, b = k1 + 0.5, k2 + 0.5  # half a fact keeps the log finite for an edition without any
    log_ratio = math.log((a / d1) / (b / d2))
    se = math.sqrt(phi * (1 / a + 1 / b))
    z = stats.norm.ppf(1 - ALPHA / 2)
    return RateRatio((k1 / d1) / (k2 / d2), math.exp(log_ratio - z * se),
                     math.exp(log_ratio + z * se),
                     float(2 * stats.norm.sf(abs(log_ratio) / se)), phi)


def dispersion(counts: list[float], days: list[float]) -> float:
    """Pearson's dispersion of editions' counts around their pooled rate per day (at least 1;
    1 with fewer than three editions)."""
    if len(counts) < 3 or sum(days) <= 0 or sum(counts) <= 0:
        return 1.0
    rate = sum(counts) / sum(days)
    chi2 = sum((k - rate * d) ** 2 / (rate * d) for k, d in zip(counts, days, strict=True))
    return max(1.0, chi2 / (len(counts) - 1))


@dataclass(frozen=True)
class EditionComparison:
    """One edition of an event indicator in an area, against ordinary days and earlier
    editions. Counts are None for an edition not (yet) covered or cancelled."""

    edition: Edition
    complete: bool
    count: float | None = None
    ordinary_count: float | None = None
    ordinary_days: int = 0
    ordinary: RateRatio | None = None
    earlier_editions: tuple[str, ...] = ()
    earlier_count: float | None = None
    earlier_days: int = 0
    earlier: RateRatio | None = None

    @property
    def per_day(self) -> float | None:
        """The edition's facts per day."""
        n = len(self.edition.days)
        return None if self.count is None else self.count / n

    @property
    def ordinary_per_day(self) -> float | None:
        """The facts per ordinary day of the same weeks."""
        return (None if self.ordinary_count is None or not self.ordinary_days
                else self.ordinary_count / self.ordinary_days)

    @property
    def earlier_per_day(self) -> float | None:
        """The facts per day of the earlier editions together."""
        return (None if self.earlier_count is None or not self.earlier_days
                else self.earlier_count / self.earlier_days)

    def as_dict(self) -> dict:
        """The comparison as plain values (for JSON and the pages)."""
        def rr(r: RateRatio | None) -> dict | None:
            return None if r is None else {"ratio": r.ratio, "low": r.low, "high": r.high,
                                           "p_value": r.p_value, "phi": r.phi,
                                           "clear": r.clear}
        e = self.edition
        return {
            "event": e.event_id, "edition": e.edition, "first_day": e.first_day.isoformat(),
            "last_day": e.last_day.isoformat(), "days": len(e.days), "cancelled": e.cancelled,
            "note": e.note, "complete": self.complete, "count": self.count,
            "per_day": self.per_day, "ordinary_days": self.ordinary_days,
            "ordinary_count": self.ordinary_count, "ordinary_per_day": self.ordinary_per_day,
            "ordinary": rr(self.ordinary), "earlier_editions": list(self.earlier_editions),
            "earlier_per_day": self.earlier_per_day, "earlier": rr(self.earlier),
        }


def ordinary_days(edition: Edition) -> list[dt.date]:
    """The other days of the weeks (Monday to Sunday) that hold the edition's days."""
    days = set(edition.days)
    mondays = {d - dt.timedelta(days=d.weekday()) for d in days}
    return sorted(m + dt.timedelta(days=i) for m in mondays for i in range(7)
                  if m + dt.timedelta(days=i) not in days)


def daily_counts(con: duckdb.DuckDBPyConnection, ind: Indicator, area_id: str,
                 first: dt.date, last: dt.date) -> dict[dt.date, float]:
    """The indicator's facts per day in ``area_id`` (itself and every area under it on that
    day), from ``first`` to ``last``, all days (the event restriction left out)."""
    sql = to_sql(daily_select(ind, first, last))
    return {d: float(n) for d, n in con.execute(
        f"""
        WITH c AS ({closure_sql()})
        SELECT f.day, sum(f.num) FROM ({sql}) f
        JOIN c ON c.area_id = f.area_id AND c.ancestor_id = ?
             AND f.day BETWEEN c.valid_from AND c.valid_to
        GROUP BY f.day
        """, [area_id]).fetchall()}


def compare_editions(con: duckdb.DuckDBPyConnection, ind: Indicator, area_id: str,
                     coverage: Coverage | None) -> list[EditionComparison]:
    """Every edition of the indicator's event in ``area_id``, oldest first (see module doc);
    empty for an indicator without an event or that does not count facts."""
    if ind.event is None or ind.kind.noise != "poisson" or coverage is None:
        return []
    eds = editions(con, ind.event)
    if not eds:
        return []
    spans = coverage.spans or ((coverage.data_start, coverage.cutoff),)

    def covered(days: list[dt.date]) -> bool:
        return all(any(s <= d <= e for s, e in spans) for d in days)

    first = min(e.first_day for e in eds) - dt.timedelta(days=7)
    last = max(e.last_day for e in eds) + dt.timedelta(days=7)
    per_day = daily_counts(con, ind, area_id, first, last)
    out: list[EditionComparison] = []
    held: list[tuple[Edition, float]] = []  # complete held editions so far, with their counts
    for e in eds:
        if e.cancelled or not covered(e.days):
            out.append(EditionComparison(e, False))
            continue
        count = sum(per_day.get(d, 0.0) for d in e.days)
        plain = [d for d in ordinary_days(e) if covered([d])]
        plain_count = sum(per_day.get(d, 0.0) for d in plain)
        earlier = held[-EARLIER:]
        k = [c for _, c in earlier]
        days = [len(x.days) for x, _ in earlier]
        out.append(EditionComparison(
            e, True, count, plain_count, len(plain),
            exact_rate_ratio(count, len(e.days), plain_count, len(plain)) if plain else None,
            tuple(x.edition for x, _ in earlier), sum(k) if earlier else None, sum(days),
            quasi_rate_ratio(count, len(e.days), sum(k), sum(days), dispersion(k, days))
            if earlier else None))
        held.append((e, count))
    return out


def event_comparison(con: duckdb.DuckDBPyConnection, ind: Indicator, area_id: str,
                     as_of: dt.date | None = None) -> list[EditionComparison]:
    """:func:`compare_editions` with the source's coverage as loaded (up to ``as_of``)."""
    return compare_editions(con, ind, area_id, coverage(con, as_of).get(ind.source))


def event_evidence(con: duckdb.DuckDBPyConnection, ind: Indicator, area_id: str,
                   coverage: Coverage | None) -> dict | None:
    """The comparison of every edition of the indicator's event in ``area_id``, as a mapping
    for the stored evidence (None without editions or for an indicator that does not count)."""
    found = compare_editions(con, ind, area_id, coverage)
    if not found:
        return None
    e = found[-1].edition
    return {"event": e.event_id, "name": {"nl": e.name_nl, "en": e.name_en},
            "editions": [c.as_dict() for c in found]}


def event_words_of(found: list[EditionComparison], lang: str) -> str:
    """The plain words of :func:`indicators.reasons.event_words` for a live comparison."""
    e = found[-1].edition
    return event_words({"name": {"nl": e.name_nl, "en": e.name_en},
                        "editions": [c.as_dict() for c in found]}, lang)
