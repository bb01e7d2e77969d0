"""The shared kernel: what every layer needs and no layer owns.

One error shape (:mod:`core.errors`), the settings registry (:mod:`core.settings`), safe SQL
text (:mod:`core.sqltext`), the warehouse file with its schema and the one way to publish a new
version (:mod:`core.warehouse`), and reproducible workbook files (:mod:`core.workbook`).

It sits below ``etl`` in the import contract: it imports nothing of ``etl``, ``indicators``,
``access``, ``dashboard`` or ``ivm``.
"""
