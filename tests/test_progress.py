"""The progress line shows on a terminal for long loads and stays silent otherwise."""

from __future__ import annotations

import io

from etl.progress import Progress


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_silent_when_not_a_terminal():
    out = io.StringIO()
    p = Progress("f.csv", out)
    p.start -= 10
    p.step("reading")
    p.done()
    assert out.getvalue() == ""


def test_progress_shows_steps_on_a_terminal_after_a_moment_and_clears_the_line():
    out = FakeTty()
    p = Progress("f.csv", out)
    p.step("too early")
    assert out.getvalue() == ""
    p.start -= 10
    p.step("reading, 1.000 rows")
    p.done()
    assert "f.csv: reading, 1.000 rows" in out.getvalue()
    assert out.getvalue().endswith("\r\033[K")
