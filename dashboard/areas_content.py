"""The areas page's content, built from the data: which view the URL asks for, the map and
the ranked table (each area against the rest of its city, :func:`indicators.compare_area`), an
area's profile across every indicator, its CompStat windows and the table of every area's
value per year. The page module (:mod:`dashboard.pages.areas`) lays it out and wires the
callbacks; the pure figure and table builders are :mod:`dashboard.figures_areas`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import pandas as pd
from dash import html

from core.vocabulary import LEVELS, PERIOD_TYPES, date, pick
from dashboard import figures_areas as fa
from dashboard.components import finite
from dashboard.data import DashboardData
from dashboard.figures_areas import as_float
from dashboard.i18n import t
from dashboard.index_content import index_section
from dashboard.peers_content import peers_section
from indicators import Comparison, by_area, compare_area, compare_frame, default_period

DEFAULT_INDICATOR = "residential_burglary_rate"
#: Above this many areas in a level, the map and table show one municipality's areas.
CAP = 400
#: Small multiples for at most this many areas.
MULTIPLES_MAX = 24

TEXT = {
    "title": {"nl": "Wijken", "en": "Areas"},
    "profile_loading": {"nl": "Het profiel van het gebied wordt berekend…",
                        "en": "Computing the area's profile…"},
    "intro": {"nl": "Eén indicator per gebied: kaart, rangschikking en de vraag of een gebied "
                    "echt verschilt van de rest van de stad of binnen de ruis valt.",
              "en": "One indicator per area: map, ranking, and whether an area really differs "
                    "from the rest of the city or lies within the noise."},
    "period_type": {"nl": "Soort periode", "en": "Period type"},
    "map": {"nl": "Kaart", "en": "Map"},
    "ranked": {"nl": "Rangschikking (hoog naar laag)", "en": "Ranking (high to low)"},
    "city": {"nl": "Stad", "en": "City"},
    "verdict": {"nl": "Tegenover de rest van de stad", "en": "Against the rest of the city"},
    "city_line": {"nl": "{city} ({period}): {value} {unit}, 95 %-interval {interval}.",
                  "en": "{city} ({period}): {value} {unit}, 95 % interval {interval}."},
    "tests": {"nl": "Verschil met de rest van de stad op het 5 %-niveau: exacte Poissontoets "
                    "(aantallen per inwoner, cijfers per eenheid van de noemer), z-toets met "
                    "effectieve n (aandelen), Welch-t-toets (gemiddelden); mediaan en sommen: "
                    "n.v.t. Met veel gebieden valt er al eens één toevallig op. Beweeg over een "
                    "oordeel voor de p-waarde.",
              "en": "Difference from the rest of the city at the 5 % level: exact Poisson test "
                    "(counts per inhabitant, rates per unit of the denominator), z-test with "
                    "effective n (shares), Welch t-test (means); medians and sums: n/a. With "
                    "many areas one may stand out by chance. Hover a verdict for its p-value."},
    "incomplete": {"nl": "⚠ Onvolledige periode: de gegevens lopen tot {cutoff}. Een lager "
                         "cijfer is hier geen daling.",
                   "en": "⚠ Incomplete period: the data run to {cutoff}. A lower figure here "
                         "is not a drop."},
    "missing": {"nl": "{n} van de {total} gebieden zonder gegevens (grijs).",
                "en": "{n} of the {total} areas without data (grey)."},
    "scope": {"nl": "Dit niveau telt {total} gebieden: kaart en tabel tonen de {n} gebieden van "
                    "{city}. Kies op niveau {top} een ander gebied.",
              "en": "This level has {total} areas: map and table show the {n} areas of {city}. "
                    "Pick another area at the {top} level."},
    "unavailable": {"nl": "niet beschikbaar", "en": "unavailable"},
    "no_period": {"nl": "Geen gegevens voor deze indicator op dit niveau.",
                  "en": "No data for this indicator at this level."},
    "profile": {"nl": "Profiel: {name}", "en": "Profile: {name}"},
    "profile_intro": {"nl": "Elke indicator in de laatste volledige periode ({ptype}), "
                            "tegenover de rest van {city}.",
                      "en": "Every indicator in the latest complete period ({ptype}), against "
                            "the rest of {city}."},
    "profile_hint": {"nl": "Klik op een gebied op de kaart of in de tabel voor zijn profiel.",
                     "en": "Click an area on the map or in the table for its profile."},
    "clear": {"nl": "Toon de stad", "en": "Show the city"},
    "compstat": {"nl": "CompStat-vensters: {name}", "en": "CompStat windows: {name}"},
    "compstat_intro": {"nl": "Elk venster tegenover hetzelfde venster een jaar eerder. "
                             "Opvallend: een verschil dat toeval zelden geeft (exacte toets, "
                             "p < 0,05). Een grijs percentage steunt op kleine aantallen.",
                       "en": "Each window against the same window a year earlier. Notable: a "
                             "difference chance rarely gives (exact test, p < 0.05). A grey "
                             "percentage rests on small counts."},
    "incidents": {"nl": "Incidenten (politie)", "en": "Incidents (police)"},
    "nuisance": {"nl": "Overlastmeldingen", "en": "Nuisance reports"},
    "no_compstat": {"nl": "Geen CompStat-gegevens voor dit gebied.",
                    "en": "No CompStat data for this area."},
    "multiples": {"nl": "Per gebied over de jaren", "en": "Per area over the years"},
    "multiples_skip": {"nl": "Het verloop per gebied wordt getoond bij hoogstens {n} gebieden.",
                       "en": "The course per area is shown for at most {n} areas."},
    "no_data": {"nl": "geen gegevens", "en": "no data"},
}


class View(NamedTuple):
    """The state of the page (what the URL says). A named tuple: Dash imports page modules
    without registering them in ``sys.modules``, which dataclasses need."""

    indicator: str
    level: str
    period_type: str
    period: str | None
    area: str | None

    def query(self) -> dict[str, Any]:
        """The URL parameters of this view."""
        return {"indicator": self.indicator, "level": self.level,
                "period_type": self.period_type, "period": self.period, "area": self.area}


# -- state ----------------------------------------------------------------------------------


def period_list(data: DashboardData, indicator: str, ptype: str, level: str
                ) -> list[tuple[str, bool]]:
    """The periods of a type at a level, or the city's when the level has none (then every
    area shows "geen gegevens")."""
    return data.periods(indicator, ptype, level) or data.periods(indicator, ptype)


def default_indicator(data: DashboardData) -> str:
    """The indicator shown first: the default one when it can be computed from what is loaded
    and has values, else the first (by id) that has, else the default one anyway."""
    catalog = data.catalog()
    missing = data.unavailable()
    fallback = DEFAULT_INDICATOR if DEFAULT_INDICATOR in catalog else next(iter(catalog))
    for ind in [DEFAULT_INDICATOR, *sorted(catalog)]:
        if ind in catalog and ind not in missing and data.periods(ind, "year"):
            return ind
    return fallback


def resolve(data: DashboardData, query: dict[str, Any]) -> View:
    """The view a URL asks for, with defaults for whatever is missing or unknown."""
    catalog = data.catalog()
    indicator = query.get("indicator")
    if indicator not in catalog:
        indicator = default_indicator(data)
    levels = data.levels()
    level = query.get("level")
    if level not in levels:
        level = data.neighbourhood_level() or (levels[-1] if levels else None)
    ptype = query.get("period_type")
    if ptype not in PERIOD_TYPES:
        ptype = "year"
    periods = period_list(data, indicator, ptype, level)
    period = query.get("period")
    if period not in {p for p, _ in periods}:
        period = default_period(periods)
    area = query.get("area")
    if area not in data.area_names():
        area = None
    return View(indicator, level, ptype, period, area)


def city_map(data: DashboardData) -> dict[str, str | None]:
    """Every area's municipality (a municipality's is itself)."""
    return data.municipalities()


def scope(data: DashboardData, level: str, area: str | None,
          cities: dict[str, str | None]) -> tuple[list[str] | None, str | None, int]:
    """The area ids to show (None: all), the municipality they are restricted to, and the
    level's number of areas. A level of more than CAP areas shows one municipality: the
    selected area's, else the first."""
    ids = list(data.areas(level)["area_id"])
    if len(ids) <= CAP:
        return None, None, len(ids)
    city = cities.get(area) if area else None
    if city is None:
        city = min((c for c in (cities.get(a) for a in ids) if c), default=None)
    return [a for a in ids if cities.get(a) == city], city, len(ids)


def area_name(data: DashboardData, area_id: str | None) -> str:
    """An area's name (its id when unknown)."""
    return data.area_names().get(area_id, str(area_id))  # type: ignore[arg-type]


def headers(lang: str) -> dict[str, str]:
    """The table headers in ``lang``."""
    return {"area": t("area", lang), "value": t("value", lang),
            "numerator": t("numerator", lang), "denominator": t("denominator", lang),
            "interval": t("interval", lang), "city": pick(TEXT, "city", lang),
            "verdict": pick(TEXT, "verdict", lang), "indicator": t("indicator", lang),
            "period": t("period", lang)}


def main_content(data: DashboardData, view: View, lang: str) -> dict[str, Any]:
    """The map, its note, the ranked table (with the city line) and the small multiples."""
    ind = data.catalog()[view.indicator]
    cities = city_map(data)
    ids, scope_city, total = scope(data, view.level, view.area, cities)
    values = data.values(view.indicator, view.level, view.period) if view.period else None
    if values is None or not len(values):
        frame_ = data.areas(view.level)[["area_id", "name"]].copy()
        values = frame_.assign(value=float("nan"), complete=True)
    if ids is not None:
        values = values[values["area_id"].isin(ids)]
    geo = data.geojson(view.level)
    if ids is not None:
        keep = set(ids)
        geo = {"type": "FeatureCollection",
               "features": [f for f in geo["features"] if f["id"] in keep]}
    revision = f"{view.level}:{scope_city}"
    figure = fa.map_figure(geo, values, ind, lang, view.area, revision=revision)
    notes = []
    if ids is not None:
        top = data.top_level()
        notes.append(html.P(pick(TEXT, "scope", lang).format(
            total=total, n=len(ids), city=area_name(data, scope_city),
            top=LEVELS.get(top, {}).get(lang, top)), className="hint"))
    reason = data.unavailable().get(view.indicator)
    if reason is not None:
        notes.append(html.P(getattr(reason, lang), className="areas-warning",
                            id="areas-unavailable"))
    missing = int((~values["value"].apply(lambda v: finite(as_float(v)))).sum())
    if missing:
        notes.append(html.P(pick(TEXT, "missing", lang).format(n=missing, total=len(values)),
                            className="hint", id="areas-missing"))
    top = data.top_level()
    city_rows = by_area(data.values(view.indicator, top, view.period)
                        if view.period and top else pd.DataFrame())
    ranked = compare_frame(values, city_rows, cities, ind)
    above = []
    if view.period is None:
        above.append(html.P(pick(TEXT, "no_period", lang), className="empty"))
    incomplete = ("complete" in values and len(values)
                  and not bool(values["complete"].fillna(True).astype(bool).all()))
    if incomplete:
        above.append(html.P(pick(TEXT, "incomplete", lang).format(
            cutoff=cutoff(data, ind.source)), className="areas-warning"))
    shown = {cities.get(a) for a in values["area_id"]} - {None}
    if len(shown) == 1:
        city = city_rows.get(next(iter(shown)))
        if city is not None:
            interval = (f"{ind.text(city['ci_low'], lang)} – "
                        f"{ind.text(city['ci_high'], lang)}")
            above.append(html.P(pick(TEXT, "city_line", lang).format(
                city=city["name"], period=view.period,
                value=ind.text(city["value"], lang), unit=getattr(ind.unit, lang),
                interval=interval if finite(as_float(city["ci_low"])) else "–"),
                className="areas-city-line", id="areas-city-line"))
    table = [*above, fa.ranked_table(ranked, ind, lang, headers(lang), view.area,
                                     city_column=len(shown) != 1),
             html.P(pick(TEXT, "tests", lang), className="hint")]
    level_name = LEVELS.get(view.level, {}).get(lang, view.level)
    city = cities.get(view.area) if view.area else None
    if city is None:  # the plan's municipality: where most of its objectives lie
        homes = [cities.get(r["area"]["id"]) for r in data.status()]
        city = max(set(homes) - {None}, key=homes.count, default=None)
    peers = (peers_section(data, view.indicator, view.period, city, lang)
             if view.period_type == "year" else peers_section(data, view.indicator, None,
                                                               city, lang))
    # the index is per wijk: shown with the wijken
    index = index_section(data.safety_index(city), lang) if view.level == "wijk" else []
    return {"figure": figure, "notes": notes, "table": table, "peers": peers, "index": index,
            "multiples": multiples(data, view, ind, values, lang),
            "heading": f"{getattr(ind.title, lang)} — {level_name}, {view.period or '–'}"}


def cutoff(data: DashboardData, source: str) -> str:
    """The date the indicator's source runs to."""
    for row in data.coverage():
        if row["kind"] == source:
            return date(row["cutoff"])
    return "–"


def multiples(data: DashboardData, view: View, ind: Any, values: pd.DataFrame, lang: str
              ) -> list:
    """Each area's value per calendar year, a table with bars (for at most MULTIPLES_MAX
    areas), from each area's series (one light query per area, whatever the scale)."""
    ids = list(values["area_id"])
    if not ids or len(ids) > MULTIPLES_MAX:
        return [html.P(pick(TEXT, "multiples_skip", lang).format(n=MULTIPLES_MAX),
                       className="hint")]
    rows = []
    for r in values.sort_values("name").to_dict("records"):
        rows += [{"name": r["name"], "period": p.period, "value": p.value,
                  "complete": p.complete}
                 for p in data.series(view.indicator, r["area_id"]).years]
    df = pd.DataFrame(rows, columns=["name", "period", "value", "complete"])
    if not df["value"].apply(lambda v: finite(as_float(v))).any():
        return [html.P(pick(TEXT, "no_period", lang), className="empty")]
    return [html.Div(fa.multiples_table(df, ind, lang), className="areas-multiples-box",
                     tabIndex="0")]


def area_content(data: DashboardData, view: View, lang: str) -> tuple[list, list]:
    """The selected area's profile and the CompStat windows (of the city by default)."""
    cities = city_map(data)
    if view.area is None:
        profile: list = [html.P(pick(TEXT, "profile_hint", lang), className="hint")]
        _, scope_city, _ = scope(data, view.level, None, cities)
        target = scope_city or min((c for c in cities.values() if c), default=None)
    else:
        profile = profile_section(data, view, lang, cities)
        target = view.area
    return profile, compstat_section(data, target, lang)


def warm_profile_reads(data: DashboardData) -> None:
    """What every click on an area starts from, read once per process: the catalogue, the
    areas with their names and cities, the category names, a connection that has read the
    stored profiles and CompStat windows (one area's profile rendered). Less than a second;
    the profiles themselves are stored (:func:`indicators.stored_profile`)."""
    if not data.available():
        return
    view = resolve(data, {})
    ids = list(data.areas(view.level)["area_id"]) if view.level else []
    if ids:
        area_content(data, view._replace(area=ids[0]), "nl")


def profile_section(data: DashboardData, view: View, lang: str,
                    cities: dict[str, str | None]) -> list:
    """Every indicator in the area against its city, from the area's stored profile (one read:
    the figures were stored by the refresh, see :func:`indicators.stored_profile`)."""
    city_id = cities.get(view.area)
    stored = data.profile(view.area, view.period_type)
    rows = []
    for ind in sorted(data.catalog().values(), key=lambda i: getattr(i.title, lang).lower()):
        found = stored.get(ind.id)
        row, city = (found.area, found.city) if found else (None, None)
        verdict = compare_area(row, city, ind) if row is not None else Comparison("insufficient")
        has = row is not None and finite(as_float(row.get("value")))
        interval = "–"
        if has and finite(as_float(row.get("ci_low"))):
            interval = (f"{ind.text(row['ci_low'], lang)} – "
                        f"{ind.text(row['ci_high'], lang)}")
        rows.append({
            "title": getattr(ind.title, lang), "unit": getattr(ind.unit, lang),
            "period": found.period if found else None,
            "complete": found.complete if found else True,
            "value": ind.text(row["value"], lang) if has else pick(TEXT, "no_data",
                                                                             lang),
            "interval": interval,
            "city": ind.text(city["value"], lang) if city else "–",
            "verdict": verdict if has else Comparison("insufficient"),
        })
    name = area_name(data, view.area)
    return [
        html.H2(pick(TEXT, "profile", lang).format(name=name), id="areas-profile-title"),
        html.P(pick(TEXT, "profile_intro", lang).format(
            ptype=pick(PERIOD_TYPES, view.period_type, lang),
            city=area_name(data, city_id) if city_id else "–"), className="hint"),
        fa.profile_table(rows, lang, headers(lang)),
    ]


def compstat_section(data: DashboardData, area: str | None, lang: str) -> list:
    """The CompStat windows of one area, per source kind."""
    head = html.H2(pick(TEXT, "compstat", lang).format(name=area_name(data, area)),
                   id="areas-compstat-title")
    intro = html.P(pick(TEXT, "compstat_intro", lang),
                   className="hint")
    rows = data.compstat_of_area(area) if area else []
    if not rows:
        return [head, html.P(pick(TEXT, "no_compstat", lang), className="empty")]
    out = [head, intro]
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_kind.setdefault(r["kind"], []).append(r)
    for kind in ("incidents", "nuisance"):
        part = by_kind.get(kind)
        if not part:
            continue
        categories = data.category_names(kind)  # in the taxonomy's order
        names = {c: pick(categories, c, lang) for c in categories}
        out += [html.H3(pick(TEXT, kind, lang)),
                fa.compstat_table(part, names, lang, table_id=f"areas-compstat-{kind}")]
    return out


# -- layout ---------------------------------------------------------------------------------


def options_of(data: DashboardData, view: View, lang: str) -> dict[str, list]:
    catalog = data.catalog()
    inds = sorted(catalog.values(), key=lambda i: getattr(i.title, lang).lower())
    periods = period_list(data, view.indicator, view.period_type, view.level)
    missing = data.unavailable()
    unavailable = pick(TEXT, "unavailable", lang)
    return {
        "indicator": [{"label": getattr(i.title, lang) + (f" ({unavailable})"
                                                          if i.id in missing else ""),
                       "value": i.id} for i in inds],
        "level": [{"label": LEVELS.get(lv, {}).get(lang, lv), "value": lv}
                  for lv in data.levels()],
        "period_type": [{"label": pick(PERIOD_TYPES, p, lang), "value": p}
                        for p in PERIOD_TYPES],
        "period": period_options(periods, lang),
    }


def period_options(periods: list[tuple[str, bool]], lang: str) -> list[dict[str, str]]:
    """Newest first; an incomplete period says so."""
    incomplete = pick(fa.TEXT, "incomplete", lang)
    return [{"label": p if c else f"{p} ({incomplete})", "value": p}
            for p, c in reversed(periods)]
