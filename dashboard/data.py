"""The one data module of the dashboard: pages ask here, never the database directly.

Every answer comes from the indicators layer's public API (:mod:`indicators`), through one
long-lived read-only connection per process that reopens when a load publishes a new version.
Answers, and the views rendered from them, are kept per published version
(:mod:`dashboard.view_cache`), so a page is fast and never mixes versions: after a load the
next request sees the new data, without a restart.

This module knows nothing of requests, viewers or audiences: which data a viewer gets is
:mod:`dashboard.audience`, how a page is cached and warmed up is :mod:`dashboard.views`.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
from collections.abc import Callable, Hashable, Iterator
from typing import Any

import duckdb
import pandas as pd

from core.warehouse import Warehouse, WarehouseReader
from core.warehouse.publish import Version
from dashboard.view_cache import SharedViews, VersionedCache, plain
from indicators import (
    Hierarchy,
    Indicator,
    PeerFunnel,
    ProfileRow,
    Series,
    alert_weeks,
    area_hierarchy,
    category_names,
    complete_years,
    current_alerts,
    data_version,
    has_results,
    index_parts,
    loads,
    municipalities,
    peer_funnel,
    periods_by_type,
    plan_info,
    quarantine_reasons,
    series,
    status_counts,
    status_records,
    stored_areas,
    stored_as_of,
    stored_catalog,
    stored_compstat,
    stored_compstat_of_area,
    stored_coverage,
    stored_profile,
    unavailable_indicators,
    values,
    wijk_safety_index,
)


class DashboardData:
    """The dashboard's view of one warehouse (one per process).

    A request reads one version from start to end: :meth:`pinned` (the server enters it for
    every request, the warm-up for each round) fixes the newest published version for the
    block, and every answer, rendered view and query inside it is of that version; a load
    published meanwhile is seen from the next request on."""

    def __init__(self, warehouse: Warehouse):
        self.warehouse = warehouse
        self._reader = WarehouseReader(warehouse)
        self._pin: contextvars.ContextVar[Version | None] = contextvars.ContextVar(
            f"ivm_version_{id(self)}", default=None)
        self.cache = VersionedCache(self.token, newest=self._newest_token)
        self.shared = SharedViews(warehouse.path, self.token)

    # -- plumbing ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def pinned(self) -> Iterator[Version | None]:
        """Read the version published now (None: none) throughout the block."""
        reset = self._pin.set(self._reader.newest())
        try:
            yield self._pin.get()
        finally:
            self._pin.reset(reset)

    def version(self) -> Version | None:
        """The version read now: the block's (:meth:`pinned`), else the newest."""
        return self._pin.get() or self._reader.newest()

    def token(self) -> Hashable | None:
        """The token of :meth:`version` (None without a warehouse)."""
        version = self.version()
        return version.token if version is not None else None

    def _newest_token(self) -> Hashable | None:
        version = self._reader.newest()
        return version.token if version is not None else None

    def exists(self) -> bool:
        """Whether there is a version to read."""
        return self.version() is not None

    def version_label(self) -> str | None:
        """The data version label of the version read now (``12.4``), None without one."""
        version = self.version()
        if version is None:
            return None
        return version.label or self._cached(
            ("data_version",), lambda c: (data_version(c) or {}).get("label"))

    def _query(self, fn: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
        con = self._reader.connection(self.version())
        try:
            return fn(con)
        finally:
            con.close()

    def _cached(self, key: tuple, fn: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
        return self.cache.answer(key, lambda: self._query(fn))

    def kept(self, key: tuple, build: Callable[[], Any]) -> Any:
        """``build()`` (computed from other answers, or with a connection of its own), kept
        until the next version is published."""
        return self.cache.answer(("kept", *key), build)

    def cached_query(self, key: tuple, fn: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
        """``fn`` on a read-only cursor of the current version, kept until the next version
        (for a reader outside this module, such as the public audience's figures)."""
        return self._cached(("query", *key), fn)

    def rendered(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """The rendered view ``build`` makes for ``key`` in the current version, as JSON-ready
        plain values, kept in memory (bounded by bytes) and shared with the other processes
        serving the same warehouse."""
        token = self.token()
        if not self.cache.keeps(token):  # a request that began before the last publish
            return plain(build())[0]
        return self.cache.view(key, lambda: self.shared.get(token, key, build))

    def warming(self) -> contextlib.AbstractContextManager[bool]:
        """Whether this process is the one to warm the rendered views up (see
        :meth:`dashboard.view_cache.SharedViews.warming`)."""
        return self.shared.warming()

    def on_new_version(self, fn: Callable[[], None] | None) -> None:
        """Call ``fn`` (from the request that notices it) whenever a new version is published."""
        self.cache.on_new_version(fn)

    def with_connection(self, fn: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
        """Run ``fn`` on a read-only cursor of the newest version (for exports, not cached)."""
        return self._query(fn)

    def available(self) -> bool:
        """Whether there is a warehouse with stored results to show."""
        if not self.exists():
            return False
        return self._cached(("available",), has_results)

    # -- the plan ---------------------------------------------------------------------------

    def status(self) -> list[dict[str, Any]]:
        """Every objective x area record (the shape of ``ivm status --format json``)."""
        if not self.available():
            return []
        return self._cached(("status",), lambda c: status_records(c, catalog=_Stored(c)))

    def counts(self, records: list[dict[str, Any]]) -> dict[str, int]:
        """How many records have each status."""
        return status_counts(records)

    def plan(self) -> dict[str, Any] | None:
        """The plan version in force: version, title, approved_on, approved_by, objectives."""
        return self._cached(("plan",), plan_info) if self.exists() else None

    def as_of(self) -> Any:
        """The as-of date of the stored results."""
        return self._cached(("as_of",), stored_as_of) if self.available() else None

    # -- indicators -------------------------------------------------------------------------

    def catalog(self) -> dict[str, Indicator]:
        """The indicators of the stored results, by id."""
        if not self.available():
            return {}
        return self._cached(("catalog",), stored_catalog)

    def unavailable(self) -> dict[str, Any]:
        """The indicators that cannot be computed from what is loaded, with the reason (a
        Text: ``nl``, ``en``)."""
        if not self.available():
            return {}
        return self._cached(("unavailable",), lambda c: unavailable_indicators(
            c, stored_catalog(c)))

    def indicator(self, indicator_id: str) -> Indicator | None:
        """One indicator of the stored results."""
        return self.catalog().get(indicator_id)

    def values(self, indicator_id: str, level: str, period: str) -> pd.DataFrame:
        """The indicator for every area of a level in a period (zeros filled in)."""
        ind = self.indicator(indicator_id)
        if ind is None:
            return pd.DataFrame()
        return self._cached(("values", indicator_id, level, period),
                            lambda c: values(c, ind, level, period))

    def series(self, indicator_id: str, area_id: str) -> Series:
        """The indicator's years and 12-month windows in one area."""
        ind = self.indicator(indicator_id)
        if ind is None:
            return Series([], [])
        return self._cached(("series", indicator_id, area_id),
                            lambda c: series(c, ind, area_id))

    def periods(self, indicator_id: str, period_type: str,
                level: str | None = None) -> list[tuple[str, bool]]:
        """The periods of a type with values at a level (default: the top level), oldest
        first, with their completeness."""
        level = level or self.top_level()
        if level is None:
            return []
        return self._all_periods(indicator_id, level).get(period_type, [])

    def _all_periods(self, indicator_id: str, level: str) -> dict[str, list[tuple[str, bool]]]:
        """Per period type, what :func:`indicators.stored_periods` gives, from one read."""
        return self._cached(("periods", indicator_id, level),
                            lambda c: periods_by_type(c, indicator_id, level))

    def profile(self, area_id: str, period_type: str) -> dict[str, ProfileRow]:
        """An area's stored profile for a period type, by indicator (see
        :func:`indicators.stored_profile`): one read of the area's own rows."""
        if not self.available():
            return {}
        # not kept: read once per rendered view, which the view cache keeps
        return self._query(lambda c: stored_profile(c, area_id, period_type))

    # -- areas ------------------------------------------------------------------------------

    def areas(self, level: str | None = None) -> pd.DataFrame:
        """Areas without their geometry (id, name, level, parent, bounding box)."""
        if not self.exists():
            return pd.DataFrame(columns=["area_id", "name", "level"])
        df = self._cached(("areas", level), lambda c: stored_areas(c, level))
        return df.drop(columns=["geometry"])

    def area_names(self) -> dict[str, str]:
        """Every area's name, by id."""
        return self.kept(("area_names",), lambda: dict(zip(
            self.areas()["area_id"], self.areas()["name"].astype(str), strict=True)))

    def municipalities(self) -> dict[str, str | None]:
        """Every area's municipality (see :func:`indicators.compare.municipalities`)."""
        return self.kept(("municipalities",), lambda: municipalities(self.areas()))

    def hierarchy(self) -> Hierarchy:
        """The loaded area hierarchy (levels, top level, each area's city)."""
        return self.kept(("hierarchy",), lambda: area_hierarchy(self.areas()))

    def levels(self) -> list[str]:
        """The area levels present, coarse to fine, as the loaded hierarchy orders them."""
        return self.hierarchy().levels if self.exists() else []

    def top_level(self) -> str | None:
        """The level of the city total (gemeente, district, ...), from the loaded hierarchy."""
        return self.hierarchy().top if self.exists() else None

    def neighbourhood_level(self) -> str | None:
        """The level of the city's neighbourhoods (wijk, ward, ...), from the hierarchy."""
        return self.hierarchy().neighbourhoods() if self.exists() else None

    def geojson(self, level: str) -> dict[str, Any]:
        """The polygons of a level as a GeoJSON FeatureCollection (feature id = area id)."""
        def build(c: duckdb.DuckDBPyConnection) -> dict[str, Any]:
            df = stored_areas(c, level)
            features = [
                {"type": "Feature", "id": r.area_id,
                 "properties": {"name": r.name}, "geometry": json.loads(r.geometry)}
                for r in df.itertuples() if r.geometry
            ]
            return {"type": "FeatureCollection", "features": features}
        return self._cached(("geojson", level), build)

    def compstat(self, level: str | None = None, area_ids: list[str] | None = None,
                 kind: str | None = None) -> pd.DataFrame:
        """The stored CompStat windows."""
        key = ("compstat", level, tuple(area_ids) if area_ids else None, kind)
        return self._cached(key, lambda c: stored_compstat(c, area_ids, level, kind))

    def compstat_of_area(self, area_id: str) -> list[dict[str, Any]]:
        """One area's stored CompStat windows as plain rows (see
        :func:`indicators.stored_compstat_of_area`); not kept: read once per rendered view,
        which the view cache keeps."""
        return self._query(lambda c: stored_compstat_of_area(c, area_id))

    def alerts(self) -> list[dict[str, Any]]:
        """The early warning's stored alerts, running ones first."""
        return self._cached(("alerts",), current_alerts) if self.available() else []

    def alert_weeks(self, area_id: str, kind: str, category: str) -> list[dict[str, Any]]:
        """One alert's judged weeks, oldest first."""
        return self._cached(("alert_weeks", area_id, kind, category),
                            lambda c: alert_weeks(c, area_id, kind, category))

    def safety_index(self, city: str | None, year: int | None = None) -> dict[str, Any] | None:
        """The safety index of ``city``'s wijken in ``year`` (default: the latest complete
        year of its first part): rows, the parts, the period each part was read for."""
        if city is None or not self.available():
            return None

        def build(c: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
            declared = index_parts()
            first = declared[0].indicator if declared else None
            years = complete_years(c, [first]).get(first, []) if first else []
            chosen = year or (max(years) if years else None)
            if chosen is None:
                return None
            rows, used = wijk_safety_index(c, self.catalog(), chosen, city)
            return {"rows": rows, "used": used, "year": chosen, "parts": declared}
        return self._cached(("safety_index", city, year), build)

    def peer_funnel(self, indicator_id: str, year: str) -> PeerFunnel | None:
        """The indicator's funnel of the peer group in a calendar year (None: none)."""
        ind = self.indicator(indicator_id)
        if ind is None:
            return None
        return self._cached(("peer_funnel", indicator_id, year),
                            lambda c: peer_funnel(c, ind, year))

    def category_names(self, kind: str) -> dict[str, dict[str, str]]:
        """The canonical categories of a fact kind with their names (nl, en)."""
        return category_names(kind)

    # -- data and quality -------------------------------------------------------------------

    def coverage(self) -> list[dict[str, Any]]:
        """Per source: first day, cut-off, last complete month, rows."""
        return self._cached(("coverage",), stored_coverage) if self.available() else []

    def loads(self) -> list[dict[str, Any]]:
        """Every load attempt, newest first (empty when there is no warehouse)."""
        if not self.exists():
            return []
        return self._cached(("loads",), loads)

    def quarantine_reasons(self) -> list[dict[str, Any]]:
        """Per load and reason code: how many rows were kept back."""
        if not self.exists():
            return []
        return self._cached(("quarantine",), quarantine_reasons)


def freshness(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per kind and source: the last successful load and the date its data runs to."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        if r["outcome"] != "loaded":
            continue
        key = (r["kind"], r["source"])
        best = latest.get(key)
        if best is None or (r["cutoff_date"] or r["finished_at"].date()) > (
            best["cutoff_date"] or best["finished_at"].date()
        ):
            latest[key] = r
    return sorted(latest.values(), key=lambda r: (r["kind"], r["source"]))


class _Stored:
    """The stored catalogue in the shape ``status_records`` expects (iterable of indicators)."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.indicators = stored_catalog(con)

    def __iter__(self):
        return iter(self.indicators.values())
