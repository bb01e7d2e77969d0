"""ETL: read source files, validate every row, assign areas and load them into the warehouse.

Data flows one way: source files -> etl -> warehouse. Nothing in this package imports from
``indicators``, ``dashboard`` or ``ivm``.
"""
