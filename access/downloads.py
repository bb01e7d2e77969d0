"""What each role may download: every table, and every column of it, named for that role.

This is an allow-list. A table or column is offered to a role only when it is named here for
that role; a new table (a new kind of fact), or a new column of a table, stays hidden from every
role until someone names it. The public audience (the ``publiek`` and ``dienst`` roles, and an
internal role that exports for the public) gets :data:`PUBLIC`: tables without a row about a
single offence, report, respondent or activity, whose figures are those of the public council
workbook (small numbers suppressed).

The dashboard's export page and ``ivm export csv`` both ask :func:`allowed`.
"""

from __future__ import annotations

from collections.abc import Mapping

from access.roles import ROLES

Columns = tuple[str, ...]

#: Tables of aggregates, areas, the plan and the catalogue: no row is about one person or fact.
AGGREGATES: dict[str, Columns] = {
    "area": ("area_id", "name", "level", "parent_id", "geometry", "min_lon", "min_lat",
             "max_lon", "max_lat", "load_id"),
    "area_link": ("area_id", "parent_id", "load_id"),
    "area_population": ("area_id", "year", "inhabitants", "households"),
    "population": ("area_id", "year", "inhabitants", "households", "source", "source_id",
                   "row_hash", "load_id"),
    "category_map": ("profile", "kind", "source_value", "canonical"),
    "compstat": ("area_id", "area_level", "kind", "category", "window_type", "window_start",
                 "window_end", "count_now", "count_before", "change", "z", "small"),
    "early_warning": ("area_id", "area_level", "kind", "category", "week_start", "week_end",
                      "count", "expected", "upper", "p_value", "exceeds", "opens", "phi"),
    "indicator": ("indicator_id", "title_nl", "title_en", "unit_nl", "unit_en", "source",
                  "measure", "direction", "period_type", "min_n", "spec", "sql"),
    "indicator_value": ("indicator_id", "area_id", "area_level", "period_type", "period",
                        "period_start", "period_end", "complete", "n", "numerator",
                        "denominator", "value", "n_eff", "sd", "ci_low", "ci_high"),
    "objective": ("plan_version", "objective_id", "title_nl", "phase", "indicator", "owner",
                  "spec", "load_id"),
    "objective_progress": (
        "plan_version", "objective_id", "area_id", "indicator_id", "direction", "period_type",
        "baseline_period", "baseline_value", "target_value", "deadline", "current_period",
        "current_value", "numerator", "denominator", "n", "n_eff", "ci_low", "ci_high", "test",
        "p_value", "position", "sdg_ratio", "sdg_category", "observed_per_year",
        "required_per_year", "projection", "gap", "status", "reason_nl", "reason_en", "as_of",
        "cutoff"),
    "plan_version": ("plan_version", "title", "approved_on", "approved_by", "file", "sha256",
                     "load_id"),
    "refresh_log": ("refresh_id", "as_of", "started_at", "finished_at", "catalog_sha",
                    "plan_version", "indicators", "value_rows", "objectives", "message"),
    "source_coverage": ("kind", "data_start", "cutoff", "anchor", "rows"),
    "survey_question": ("question_id", "text_nl", "text_en", "load_id"),
}

#: Tables whose rows are single offences, reports, respondents, answers or activities, and the
#: quarantined raw rows.
INCIDENT_LEVEL: dict[str, Columns] = {
    "incident": ("source", "source_id", "category", "occurred_at", "reported_at", "priority",
                 "dispatched_at", "arrived_at", "area_id", "longitude", "latitude", "location",
                 "row_hash", "load_id"),
    "nuisance": ("source", "source_id", "type", "reported_at", "closed_at", "channel",
                 "gas_fine", "area_id", "longitude", "latitude", "location", "row_hash",
                 "load_id"),
    "survey_response": ("source", "source_id", "wave", "area_id", "weight", "age_group",
                        "row_hash", "load_id"),
    "survey_answer": ("source", "source_id", "question_id", "answer"),
    "activity": ("source", "source_id", "partner", "activity_type", "activity_date", "area_id",
                 "quantity", "unit", "row_hash", "load_id"),
    "quarantine": ("load_id", "row_number", "raw", "reason_codes", "reasons"),
}

#: The load log: which files were loaded, from where, with what outcome.
BOOKKEEPING: dict[str, Columns] = {
    "load_log": ("load_id", "kind", "profile", "source", "file", "sha256", "rows_read",
                 "rows_loaded", "rows_replaced", "rows_skipped", "rows_quarantined",
                 "started_at", "finished_at", "outcome", "message", "cutoff_date",
                 "rows_removed", "period_start", "options"),
}

#: The public audience: the published figures, without internal paths and load bookkeeping.
#: ``indicator_value`` and ``objective_progress`` are rebuilt from the public council
#: workbook's figures (with a ``suppressed`` column), not copied.
PUBLIC: dict[str, Columns] = {
    "area": ("area_id", "name", "level", "parent_id", "geometry", "min_lon", "min_lat",
             "max_lon", "max_lat"),
    "area_link": ("area_id", "parent_id"),
    "area_population": ("area_id", "year", "inhabitants", "households"),
    "category_map": ("profile", "kind", "source_value", "canonical"),
    "indicator": AGGREGATES["indicator"],
    "indicator_value": ("indicator_id", "area_id", "area_level", "period_type", "period",
                        "value", "ci_low", "ci_high", "suppressed"),
    "objective": ("plan_version", "objective_id", "title_nl", "phase", "indicator", "owner",
                  "spec"),
    "objective_progress": ("plan_version", "objective_id", "area_id", "indicator_id",
                           "baseline_period", "baseline_value", "target_value", "deadline",
                           "current_period", "current_value", "status", "reason_nl",
                           "reason_en", "as_of", "cutoff", "suppressed"),
    "plan_version": ("plan_version", "title", "approved_on", "approved_by"),
    "refresh_log": AGGREGATES["refresh_log"],
    "source_coverage": AGGREGATES["source_coverage"],
    "survey_question": ("question_id", "text_nl", "text_en"),
}

#: Per role, what it may download for the internal audience.
DOWNLOADS: dict[str, Mapping[str, Columns]] = {
    "beheerder": {**AGGREGATES, **INCIDENT_LEVEL, **BOOKKEEPING},
    "analist": {**AGGREGATES, **INCIDENT_LEVEL, **BOOKKEEPING},
    "politie": {**AGGREGATES, **INCIDENT_LEVEL, **BOOKKEEPING},
    "bestuur": {**AGGREGATES, **BOOKKEEPING},
    "dienst": {},
    "publiek": {},
}

AUDIENCES = ("internal", "public")


def allowed(role: str, audience: str) -> Mapping[str, Columns]:
    """The tables (and their columns) ``role`` may download for ``audience``: nothing that is
    not named for it. Only a role of the internal audience may export for it."""
    r = ROLES.get(role)
    if r is None or audience not in AUDIENCES:
        return {}
    if audience == "public":
        return PUBLIC
    if r.audience != "internal":
        return {}
    return DOWNLOADS.get(role, {})


#: Who may freeze the council pack of a meeting (and replace a frozen one): the mayor's office
#: and the beheerder. Every role downloads the frozen packs of the audiences it may export for.
FREEZE_PACKS = frozenset({"bestuur", "beheerder"})


def may_freeze_pack(role: str) -> bool:
    """Whether ``role`` may freeze (or replace) a council pack."""
    return role in FREEZE_PACKS


def incident_level(role: str) -> bool:
    """Whether ``role`` may download rows about single facts or respondents."""
    return any(t in INCIDENT_LEVEL for t in DOWNLOADS.get(role, {}))


__all__ = ["AGGREGATES", "BOOKKEEPING", "DOWNLOADS", "FREEZE_PACKS", "INCIDENT_LEVEL", "PUBLIC",
           "allowed", "incident_level", "may_freeze_pack"]
