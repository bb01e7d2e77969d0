"""Indicators and objectives: the plan's meaning, values per area and period, progress."""
