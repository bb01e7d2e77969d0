"""Indicators and objectives: the plan's meaning, values per area and period, progress.

This is the layer's public API: what the dashboard, the export, the access layer and the
command line may call. They import it from ``indicators`` itself, never from a submodule (the
import contract in ``pyproject.toml`` checks it), so the modules behind it can be split, merged
or renamed without touching another layer.

- **The catalogue**: :class:`Indicator`, :func:`load_catalog`, :func:`check_catalog`, the
  measure kinds (:data:`MEASURES`, registered with :func:`measure`) and the fact sources
  (:data:`SOURCES`).
- **Stored results**: :func:`values`, :func:`series`, :func:`stored_catalog`, and the readers of
  the plan in force, the areas, the load log and the quarantine (:func:`plan_info`,
  :func:`loads`, ...); :func:`refresh_results` recomputes them.
- **The plan and its status**: :func:`status_records` (what ``ivm status`` prints),
  :func:`check_plan`, :func:`chain_matrix`, :func:`write_plan_template`; the plan versions
  (:func:`plan_versions`, :func:`stored_plan`, :func:`diff_plans`), what a plan refers to
  (:func:`reference_problems`), its reporting calendar (:func:`plan_calendar`,
  :func:`current_period`, :func:`previous_period`) and the data version of the stored results
  (:func:`data_version`).
- **Early warning**: :func:`current_alerts` (the stored alerts per area and category),
  :func:`alert_weeks` (one series' judged weeks), :func:`alert_objectives` (whom it concerns),
  :func:`alert_words` (an alert in plain words).
- **Safety index**: :func:`wijk_safety_index` (crime, nuisance and feeling unsafe per wijk, city =
  100), :func:`index_parts` (its declared parts).
- **Peers**: :func:`peer_funnel` (a count or rate per municipality against its peer group,
  with overdispersed control limits), :func:`has_funnel`.
- **Area profiles**: :func:`stored_profile` (one area's figures per indicator in the period the
  areas page shows, and its city's, stored by every refresh with :func:`store_area_profiles`),
  :func:`default_period`.
- **Statistics the surfaces show**: :func:`compare_area` (an area against the rest of its city),
  :func:`method_sentences` and :func:`status_rules` (the method in plain words).
"""

from indicators.alerts import alert_objectives, alert_weeks, current_alerts
from indicators.area_profile import (
    ProfileRow,
    default_period,
    profiles_missing,
    store_area_profiles,
    stored_profile,
)
from indicators.availability import unavailable_indicators
from indicators.catalog import (
    Catalog,
    Exclude,
    Indicator,
    check_catalog,
    default_folder,
    load_catalog,
)
from indicators.catalog_store import add_files as record_indicator_files
from indicators.catalog_store import builtin_folder, effective_catalog
from indicators.catalog_store import remove as forget_indicators
from indicators.chain import chain_matrix
from indicators.compare import (
    Comparison,
    area_comparison,
    area_hierarchy,
    by_area,
    compare_frame,
    municipalities,
)
from indicators.compare import compare as compare_area
from indicators.compile import monthly_select, to_sql
from indicators.compstat import SMALL
from indicators.compute import coverage as coverage_as_of
from indicators.events import Edition, EditionComparison, event_comparison, event_words_of
from indicators.events import editions as event_editions
from indicators.hierarchy import Hierarchy, loaded_hierarchy, top_level
from indicators.measures import MEASURES, MeasureKind, measure
from indicators.method import sentences as method_sentences
from indicators.method import status_rules, test_of, test_text
from indicators.peers import PeerFunnel, peer_funnel
from indicators.peers import supports as has_funnel
from indicators.plan import Action, Objective, PlanFile, Reporting
from indicators.plan_activation import activate_plan as put_plan_in_force
from indicators.plan_check import check_plan
from indicators.plan_diff import Change, diff_plans
from indicators.plan_load import read_plan_file
from indicators.plan_load import register as register_plan_loader
from indicators.plan_refs import close_matches, reference_problems
from indicators.plan_store import plan_versions, stored_plan
from indicators.plan_xlsx import write_template as write_plan_template
from indicators.progress import Point, Series, baseline_years
from indicators.readers import (
    area_names,
    city_of,
    complete_years,
    copy_csv,
    data_version,
    has_results,
    loads,
    periods_by_type,
    plan_info,
    populations,
    quarantine_reasons,
    sectors_of,
    source_coverage,
    stored_tables,
    table_columns,
    wijken_of,
    year_values,
)
from indicators.reasons import alert_words
from indicators.refresh import current_plan, plan_in_force
from indicators.refresh import refresh as refresh_results
from indicators.reporting import (
    ReportingPeriod,
    current_period,
    find_period,
    meetings,
    plan_calendar,
    previous_period,
)
from indicators.results import STORED, Tables, series, stored_catalog, values
from indicators.results import areas as stored_areas
from indicators.results import as_of as stored_as_of
from indicators.results import compstat as stored_compstat
from indicators.results import compstat_of_area as stored_compstat_of_area
from indicators.results import coverage as stored_coverage
from indicators.results import periods as stored_periods
from indicators.safety_index import WijkIndex
from indicators.safety_index import parts as index_parts
from indicators.safety_index import safety_index as wijk_safety_index
from indicators.show import indicator_values
from indicators.sources import SOURCES, category_names
from indicators.status import StatusFilter, status_counts, status_records, to_json

__all__ = [
    "builtin_folder", "effective_catalog", "forget_indicators", "put_plan_in_force",
    "record_indicator_files", "unavailable_indicators",
    "ProfileRow", "default_period", "profiles_missing", "store_area_profiles", "stored_profile",
    "Edition", "EditionComparison", "event_comparison", "event_editions", "event_words_of",
    "alert_objectives", "alert_weeks", "alert_words", "current_alerts", "PeerFunnel",
    "has_funnel", "peer_funnel", "WijkIndex", "index_parts", "wijk_safety_index",
    "Action", "Change", "ReportingPeriod", "Reporting", "close_matches", "current_period",
    "data_version", "diff_plans", "find_period", "meetings", "plan_calendar", "plan_versions",
    "previous_period", "reference_problems", "stored_plan",
    "MEASURES", "SMALL", "SOURCES", "STORED", "Catalog", "Comparison", "Exclude",
    "Indicator", "MeasureKind", "Objective", "PlanFile", "Point", "Series", "StatusFilter",
    "Tables", "Hierarchy", "area_comparison", "area_hierarchy", "loaded_hierarchy", "top_level",
    "area_names", "baseline_years", "by_area", "category_names",
    "chain_matrix", "check_catalog", "check_plan", "city_of", "compare_area", "compare_frame",
    "complete_years", "copy_csv", "coverage_as_of", "current_plan", "default_folder", "has_results",
    "indicator_values", "load_catalog", "loads", "measure", "method_sentences", "monthly_select",
    "municipalities", "periods_by_type", "plan_in_force", "plan_info", "populations",
    "quarantine_reasons", "read_plan_file", "refresh_results", "register_plan_loader", "sectors_of",
    "series", "source_coverage", "status_counts", "status_records", "status_rules", "stored_areas",
    "stored_as_of", "stored_catalog", "stored_compstat", "stored_compstat_of_area",
    "stored_coverage", "stored_periods",
    "stored_tables", "table_columns", "test_of", "test_text", "to_json", "to_sql", "values",
    "wijken_of", "write_plan_template", "year_values",
]
