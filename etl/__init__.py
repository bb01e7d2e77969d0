"""ETL: read source files, validate every row, assign areas and load them into the warehouse.

Data flows one way: source files -> etl -> warehouse. This package imports the shared kernel
(``core``: errors, settings, SQL text, the warehouse) and nothing from ``indicators``,
``access``, ``dashboard`` or ``ivm``.
"""
