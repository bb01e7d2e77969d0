"""The composition root: the ``ivm`` command wires etl, indicators and dashboard together."""
