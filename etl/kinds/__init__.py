"""The kinds of source: their canonical fields, target tables and extra row checks."""

from etl.kinds.fields import FACT_KINDS, FieldSpec, KindSpec

__all__ = ["FACT_KINDS", "FieldSpec", "KindSpec"]
