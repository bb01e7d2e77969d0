"""The warehouse tables as SQLAlchemy metadata, at the current schema version.

The DDL lives in ``migrations/NNNN_*.sql`` (applied in order by :mod:`core.warehouse.migrate`);
this module describes the result for queries written with SQLAlchemy Core. A test checks that
the two agree column by column.
"""

from __future__ import annotations

from duckdb_engine.datatypes import UBigInteger
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
)

metadata = MetaData()


def _fact_key() -> list[Column]:
    return [
        Column("source", String, primary_key=True),
        Column("source_id", String, primary_key=True),
    ]


load_log = Table(
    "load_log",
    metadata,
    Column("load_id", BigInteger, primary_key=True),
    Column("kind", String, nullable=False),
    Column("profile", String, nullable=False),
    Column("source", String, nullable=False),
    Column("file", String, nullable=False),
    Column("sha256", String, nullable=False),
    Column("rows_read", BigInteger, nullable=False),
    Column("rows_loaded", BigInteger, nullable=False),
    Column("rows_replaced", BigInteger, nullable=False),
    Column("rows_skipped", BigInteger, nullable=False),
    Column("rows_quarantined", BigInteger, nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("outcome", String, nullable=False),
    Column("message", String),
    Column("cutoff_date", Date),
    Column("rows_removed", BigInteger),
    Column("period_start", Date),
    Column("options", String),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("load_id", BigInteger, nullable=False),
    Column("row_number", BigInteger, nullable=False),
    Column("raw", String, nullable=False),
    Column("reason_codes", String, nullable=False),
    Column("reasons", String, nullable=False),
)

area = Table(
    "area",
    metadata,
    Column("area_id", String, primary_key=True),
    Column("name", String, nullable=False),
    Column("level", String, nullable=False),
    Column("parent_id", String),
    Column("geometry", String),
    Column("min_lon", Float),
    Column("min_lat", Float),
    Column("max_lon", Float),
    Column("max_lat", Float),
    Column("load_id", BigInteger, nullable=False),
)

area_link = Table(
    "area_link",
    metadata,
    Column("area_id", String, primary_key=True),
    Column("parent_id", String, primary_key=True),
    Column("load_id", BigInteger, nullable=False),
    Column("valid_from", Date),
)

area_link_history = Table(
    "area_link_history",
    metadata,
    Column("area_id", String, nullable=False),
    Column("parent_id", String, nullable=False),
    Column("valid_from", Date),
    Column("valid_to", Date, nullable=False),
    Column("load_id", BigInteger, nullable=False),
    Column("closed_by", BigInteger, nullable=False),
)

population = Table(
    "population",
    metadata,
    Column("area_id", String, nullable=False),
    Column("year", Integer, nullable=False),
    Column("inhabitants", BigInteger, nullable=False),
    Column("households", BigInteger),
    *_fact_key(),
    Column("row_hash", UBigInteger, nullable=False),
    Column("load_id", BigInteger, nullable=False),
)

day_population = Table(
    "day_population",
    metadata,
    Column("area_id", String, nullable=False),
    Column("year", Integer, nullable=False),
    Column("day_population", Float),
    Column("visitors", Float),
    *_fact_key(),
    Column("row_hash", UBigInteger, nullable=False),
    Column("load_id", BigInteger, nullable=False),
)

incident = Table(
    "incident",
    metadata,
    *_fact_key(),
    Column("category", String, nullable=False),
    Column("occurred_at", DateTime, nullable=False),
    Column("reported_at", DateTime),
    Column("priority", Integer),
    Column("dispatched_at", DateTime),
    Column("arrived_at", DateTime),
    Column("area_id", String, nullable=False),
    Column("longitude", Float),
    Column("latitude", Float),
    Column("location", String),
    Column("row_hash", UBigInteger, nullable=False),
    Column("load_id", BigInteger, nullable=False),
)

nuisance = Table(
    "nuisance",
    metadata,
    *_fact_key(),
    Column("type", String, nullable=False),
    Column("reported_at", DateTime, nullable=False),
    Column("closed_at", DateTime),
    Column("channel", String),
    Column("gas_fine", Boolean),
    Column("area_id", String, nullable=False),
    Column("longitude", Float),
    Column("latitude", Float),
    Column("location", String),
    Column("row_hash", UBigInteger, nullable=False),
    Column("load_id", BigInteger, nullable=False),
)

survey_response = Table(
    "survey_response",
    metadata,
    *_fact_key(),
    Column("wave", String, nullable=False),
    Column("area_id", String, nullable=False),
    Column("weight", Float, nullable=False),
    Column("age_group", String),
    Column("row_hash", UBigInteger, nullable=False),
    Column("load_id", BigInteger, nullable=False),
)

survey_answer = Table(
    "survey_answer",
    metadata,
    *_fact_key(),
    Column("question_id", String, primary_key=True),
    Column("answer", String),
)

survey_question = Table(
    "survey_question",
    metadata,
    Column("question_id", String, primary_key=True),
    Column("text_nl", String),
    Column("text_en", String),
    Column("load_id", BigInteger, nullable=False),
)

activity = Table(
    "activity",
    metadata,
    *_fact_key(),
    Column("partner", String, nullable=False),
    Column("activity_type", String, nullable=False),
    Column("activity_date", Date, nullable=False),
    Column("area_id", String, nullable=False),
    Column("quantity", Float, nullable=False),
    Column("unit", String),
    Column("row_hash", UBigInteger, nullable=False),
    Column("load_id", BigInteger, nullable=False),
)

category_map = Table(
    "category_map",
    metadata,
    Column("profile", String, primary_key=True),
    Column("kind", String, primary_key=True),
    Column("source_value", String, primary_key=True),
    Column("canonical", String, nullable=False),
)

plan_version = Table(
    "plan_version",
    metadata,
    Column("plan_version", String, primary_key=True),
    Column("title", String, nullable=False),
    Column("approved_on", Date),
    Column("approved_by", String),
    Column("file", String, nullable=False),
    Column("sha256", String, nullable=False),
    Column("load_id", BigInteger, nullable=False),
    #: The plan's declaration (version, title, approval, reporting calendar) as JSON.
    Column("spec", String),
)

#: The actions under the objectives of a plan version (schema version 6).
plan_action = Table(
    "plan_action",
    metadata,
    Column("plan_version", String, primary_key=True),
    Column("action_id", String, primary_key=True),
    Column("objective_id", String, nullable=False),
    Column("owner", String),
    Column("spec", String, nullable=False),
    Column("load_id", BigInteger, nullable=False),
)

objective = Table(
    "objective",
    metadata,
    Column("plan_version", String, primary_key=True),
    Column("objective_id", String, primary_key=True),
    Column("title_nl", String, nullable=False),
    Column("phase", String),
    Column("indicator", String),
    Column("owner", String),
    Column("spec", String, nullable=False),
    Column("load_id", BigInteger, nullable=False),
)


# -- Stored results of the indicators layer (schema version 3) ---------------------------------

refresh_log = Table(
    "refresh_log",
    metadata,
    Column("refresh_id", BigInteger, primary_key=True),
    Column("as_of", Date, nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime, nullable=False),
    Column("catalog_sha", String, nullable=False),
    Column("plan_version", String),
    Column("indicators", Integer, nullable=False),
    Column("value_rows", BigInteger, nullable=False),
    Column("objectives", Integer, nullable=False),
    Column("message", String),
)

plan_activation = Table(
    "plan_activation",
    metadata,
    Column("activation_id", BigInteger, primary_key=True),
    Column("plan_version", String, nullable=False),
    Column("activated_at", DateTime, nullable=False),
    Column("activated_by", String),
)

catalog_indicator = Table(
    "catalog_indicator",
    metadata,
    Column("indicator_id", String, primary_key=True),
    Column("yaml", String, nullable=False),
    Column("file", String, nullable=False),
    Column("sha256", String, nullable=False),
    Column("recorded_at", DateTime, nullable=False),
)

#: The public releases (schema version 12): what each decided, for the next one.
public_release = Table(
    "public_release",
    metadata,
    Column("release_id", BigInteger, primary_key=True),
    Column("label", String, nullable=False),
    Column("as_of", Date, nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    Column("payload", String, nullable=False),
)

source_coverage = Table(
    "source_coverage",
    metadata,
    Column("kind", String, primary_key=True),
    Column("data_start", Date, nullable=False),
    Column("cutoff", Date, nullable=False),
    Column("anchor", Date, nullable=False),
    Column("rows", BigInteger, nullable=False),
)

indicator = Table(
    "indicator",
    metadata,
    Column("indicator_id", String, primary_key=True),
    *(Column(name, String, nullable=False) for name in (
        "title_nl", "title_en", "unit_nl", "unit_en", "source", "measure", "direction",
        "period_type")),
    Column("min_n", Integer, nullable=False),
    Column("spec", String, nullable=False),
    Column("sql", String, nullable=False),
)

area_population = Table(
    "area_population",
    metadata,
    Column("area_id", String, primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("inhabitants", BigInteger),
    Column("households", BigInteger),
    Column("day_population", Float),
    Column("visitors", Float),
)

indicator_value = Table(
    "indicator_value",
    metadata,
    *(Column(name, String, nullable=False) for name in (
        "indicator_id", "area_id", "area_level", "period_type", "period")),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("complete", Boolean, nullable=False),
    Column("n", BigInteger, nullable=False),
    *(Column(name, Float) for name in (
        "numerator", "denominator", "value", "n_eff", "sd", "ci_low", "ci_high")),
)

objective_progress = Table(
    "objective_progress",
    metadata,
    Column("plan_version", String, primary_key=True),
    Column("objective_id", String, primary_key=True),
    Column("area_id", String, primary_key=True),
    *(Column(name, String) for name in (
        "indicator_id", "direction", "period_type", "baseline_period")),
    Column("baseline_value", Float),
    Column("target_value", Float),
    Column("deadline", Date),
    Column("current_period", String),
    *(Column(name, Float) for name in (
        "current_value", "numerator", "denominator")),
    Column("n", BigInteger),
    *(Column(name, Float) for name in ("n_eff", "ci_low", "ci_high")),
    Column("test", String),
    *(Column(name, Float) for name in ("p_value", "position", "sdg_ratio")),
    Column("sdg_category", String),
    *(Column(name, Float) for name in (
        "observed_per_year", "required_per_year", "projection", "gap")),
    *(Column(name, String, nullable=False) for name in ("status", "reason_nl", "reason_en")),
    Column("as_of", Date, nullable=False),
    Column("cutoff", Date),
    *(Column(name, Float) for name in ("probability", "change")),
    Column("comparison", String),
    *(Column(name, Float) for name in (
        "comparison_change", "dispersion", "projection_low", "projection_high")),
    *(Column(name, String) for name in ("qualifier", "rule", "evidence")),
)

compstat = Table(
    "compstat",
    metadata,
    *(Column(name, String, nullable=False) for name in (
        "area_id", "area_level", "kind", "category", "window_type")),
    Column("window_start", Date, nullable=False),
    Column("window_end", Date, nullable=False),
    Column("count_now", BigInteger, nullable=False),
    Column("count_before", BigInteger, nullable=False),
    Column("change", Float),
    Column("z", Float, nullable=False),
    Column("small", Boolean, nullable=False),
    Column("p_value", Float),
    Column("notable", Boolean),
)

early_warning = Table(
    "early_warning",
    metadata,
    *(Column(name, String, nullable=False) for name in (
        "area_id", "area_level", "kind", "category")),
    Column("week_start", Date, nullable=False),
    Column("week_end", Date, nullable=False),
    *(Column(name, Float) for name in ("count", "expected", "upper", "p_value")),
    Column("exceeds", Boolean, nullable=False),
    Column("opens", Boolean, nullable=False),
    Column("phi", Float),
)

area_profile = Table(
    "area_profile",
    metadata,
    *(Column(name, String, nullable=False) for name in (
        "area_id", "period_type", "indicator_id", "area_level", "period")),
    Column("period_complete", Boolean, nullable=False),
    Column("found", Boolean, nullable=False),
    Column("n", BigInteger),
    *(Column(name, Float) for name in (
        "numerator", "denominator", "value", "n_eff", "sd", "ci_low", "ci_high", "inhabitants")),
    Column("city_id", String),
    Column("city_found", Boolean, nullable=False),
    Column("city_n", BigInteger),
    *(Column(f"city_{name}", Float) for name in (
        "numerator", "denominator", "value", "n_eff", "sd", "ci_low", "ci_high", "inhabitants")),
)

event_edition = Table(
    "event_edition",
    metadata,
    Column("event_id", String, primary_key=True),
    Column("edition", String, primary_key=True),
    Column("name_nl", String, nullable=False),
    Column("name_en", String, nullable=False),
    Column("first_day", Date, nullable=False),
    Column("last_day", Date, nullable=False),
    Column("area_id", String),
    Column("cancelled", Boolean, nullable=False),
    Column("note", String),
    Column("load_id", BigInteger, nullable=False),
)

#: Tables the indicators layer derives from the data; replaced whole on every refresh.
RESULT_TABLES = ["refresh_log", "source_coverage", "indicator", "area_population",
                 "indicator_value", "objective_progress", "compstat", "early_warning",
                 "area_profile"]

#: Tables that hold loaded data (everything but the audit trail and the derived results).
DATA_TABLES = [t.name for t in metadata.sorted_tables
               if t.name != "load_log" and t.name not in RESULT_TABLES]
