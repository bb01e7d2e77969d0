"""Exports: the council workbook, CSV of the stored tables, and the public-audience rules.

- :mod:`dashboard.export.council`: the ``.xlsx`` the council receives (``ivm export council``
  and the dashboard's export page share :func:`~dashboard.export.council.write_council_workbook`);
- :mod:`dashboard.export.figures`: the workbook's figures with the public audience's suppression,
  shared by the workbook, the public CSV tables and the dashboard's public audience;
- :mod:`dashboard.export.tables`: every stored table as CSV (``ivm export csv``);
- :mod:`dashboard.export.suppress`: small-number suppression for the public audience;
- :mod:`dashboard.export.safe`: text from data is never evaluated as a formula.

These modules read the warehouse through the indicators layer and never import the Dash app.
"""
