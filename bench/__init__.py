"""Benchmarks of ivmonitor, run from a checkout: ``python -m bench load --scale city``.

Not part of the installed package: every measured variant runs in its own subprocess started
with the checkout as working directory, so ``bench`` must be run from the repository root (or
with the root on ``PYTHONPATH``).
"""
