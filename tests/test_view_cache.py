"""The view cache (``dashboard/view_cache.py``): what one process keeps per published version,
bounded by bytes, and what the server's processes share on disk; a new version empties it, a
crashed writer or a full disk never serves a broken view."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from dashboard.view_cache import SharedViews, VersionedCache, plain, provisional

ROOT = Path(__file__).resolve().parent.parent


class Version:
    """A published version that the test can change."""

    def __init__(self) -> None:
        self.token: tuple[int, int] | None = (1, 1)

    def __call__(self) -> tuple[int, int] | None:
        return self.token


def counting(value, calls: list):
    def build():
        calls.append(value)
        return value
    return build


# -- one process ----------------------------------------------------------------------------


def test_answers_are_kept_until_a_new_version_is_published():
    version = Version()
    cache = VersionedCache(version)
    renewed = []
    cache.on_new_version(lambda: renewed.append(version.token))
    calls: list = []
    assert cache.answer("a", counting(1, calls)) == 1
    assert cache.answer("a", counting(2, calls)) == 1  # kept
    version.token = (1, 2)
    assert cache.answer("a", counting(3, calls)) == 3  # a new version: built again
    assert calls == [1, 3] and renewed == [(1, 2)]


def test_views_are_evicted_by_bytes_least_recently_used_first():
    version = Version()
    cache = VersionedCache(version, view_bytes=100)
    calls: list = []

    def view(name: str, size: int):
        return lambda: (calls.append(name) or name, size)

    cache.view("a", view("a", 40))
    cache.view("b", view("b", 40))
    cache.view("a", view("a", 40))  # a hit: a is now the most recently used
    cache.view("c", view("c", 40))  # over 100 bytes: b goes
    assert cache.view_size == 80
    cache.view("a", view("a", 40))
    cache.view("b", view("b", 40))
    assert calls == ["a", "b", "c", "b"]
    cache.view("big", view("big", 500))  # one view larger than the bound is still kept alone
    assert cache.view_size == 500


def test_one_thread_builds_while_the_others_wait_for_its_answer():
    cache = VersionedCache(Version())
    calls: list = []
    started = threading.Event()

    def slow():
        started.set()
        time.sleep(0.3)
        calls.append(1)
        return "done"

    out: list = []
    threads = [threading.Thread(target=lambda: out.append(cache.answer("k", slow)))
               for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == ["done"] * 5 and calls == [1]


def test_a_provisional_view_is_served_but_not_kept():
    cache = VersionedCache(Version())
    calls: list = []

    def incomplete():
        calls.append(1)
        provisional()
        return ("partial", 7)

    assert cache.view("v", incomplete) == "partial"
    assert cache.view("v", incomplete) == "partial"
    assert calls == [1, 1] and cache.view_size == 0


def test_an_answer_built_across_a_publish_is_not_kept_for_the_new_version():
    version = Version()
    cache = VersionedCache(version)

    def while_publishing():
        version.token = (2, 2)
        return "old"

    assert cache.answer("k", while_publishing) == "old"
    assert cache.answer("k", lambda: "new") == "new"


# -- shared by processes --------------------------------------------------------------------

CHILD = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from dashboard.view_cache import SharedViews

    root, marker, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    views = SharedViews(Path("warehouse.duckdb"), lambda: (7, 7), root=root)

    def build():
        with open(marker, "a") as fh:
            fh.write(str(os.getpid()) + "\\n")
        if mode == "crash":
            # a writer that dies holding the view's lock, with a half-written file beside it
            tmp = next(views.folder((7, 7)).glob("*.lock")).with_suffix(".999.1.tmp")
            tmp.write_text('{{"half": ')
            print("building", flush=True)
            time.sleep(60)
        if mode == "slow":
            time.sleep(1.0)
        return {{"figure": [1, 2, 3]}}

    print(views.get((7, 7), "key", build)[0], flush=True)
""")


def _child(tmp_path: Path, mode: str) -> subprocess.Popen:
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(root=str(ROOT)), encoding="utf-8")
    return subprocess.Popen([sys.executable, str(script), str(tmp_path / "views"),
                             str(tmp_path / "built.txt"), mode],
                            stdout=subprocess.PIPE, text=True)


def _builds(tmp_path: Path) -> int:
    marker = tmp_path / "built.txt"
    return len(marker.read_text().split()) if marker.exists() else 0


def test_two_processes_share_a_view_built_once(tmp_path):
    procs = [_child(tmp_path, "slow") for _ in range(3)]
    outs = [p.communicate(timeout=60)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert all("[1, 2, 3]" in o for o in outs)
    assert _builds(tmp_path) == 1
    here = SharedViews(Path("warehouse.duckdb"), lambda: (7, 7), root=tmp_path / "views")
    assert here.get((7, 7), "key", lambda: pytest.fail("the file is there"))[0] == {
        "figure": [1, 2, 3]}


def test_a_crashed_writer_leaves_no_view_and_no_lock(tmp_path):
    views = SharedViews(Path("warehouse.duckdb"), lambda: (7, 7), root=tmp_path / "views")
    folder = views.folder((7, 7))
    (folder / "seed.lock").touch()  # the child looks for a lock to write its half file beside
    proc = _child(tmp_path, "crash")
    assert proc.stdout.readline().strip() == "building"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert list(folder.glob("*.tmp")), "the crashed writer left its half-written file"
    got = views.get((7, 7), "key", lambda: {"figure": [1, 2, 3]})
    assert got[0] == {"figure": [1, 2, 3]}
    assert _builds(tmp_path) == 1  # the child's attempt; this process built its own
    assert not [p for p in folder.glob("*.json") if "half" in p.read_text()]


def test_a_full_disk_serves_the_view_without_sharing_it(tmp_path, monkeypatch):
    views = SharedViews(Path("warehouse.duckdb"), lambda: (7, 7), root=tmp_path / "views")

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    calls: list = []
    assert views.get((7, 7), "k", counting({"v": 1}, calls))[0] == {"v": 1}
    monkeypatch.undo()
    folder = views.folder((7, 7))
    assert not list(folder.glob("*.json")) and not list(folder.glob("*.tmp"))
    assert views.get((7, 7), "k", counting({"v": 1}, calls))[0] == {"v": 1}
    assert calls == [{"v": 1}, {"v": 1}]  # built again: nothing was shared
    assert views.get((7, 7), "k", counting({"v": 2}, calls))[0] == {"v": 1}  # now it was


def test_a_new_version_gets_a_new_folder_and_the_old_one_goes(tmp_path):
    version = Version()
    views = SharedViews(Path("warehouse.duckdb"), version, root=tmp_path / "views")
    views.get(version.token, "k", lambda: {"v": 1})
    old = views.folder(version.token)
    version.token = (2, 2)
    assert views.get(version.token, "k", lambda: {"v": 2})[0] == {"v": 2}
    assert not old.exists() and views.folder((2, 2)).exists()


def test_a_view_built_while_a_load_publishes_is_served_not_shared(tmp_path):
    version = Version()
    views = SharedViews(Path("warehouse.duckdb"), version, root=tmp_path / "views")

    def build():
        version.token = (3, 3)
        return {"old": True}

    assert views.get((1, 1), "k", build)[0] == {"old": True}
    assert not list((tmp_path / "views").glob("*/*.json"))


def test_a_folder_that_is_not_this_users_own_is_never_used(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "parent").mkdir()
    (tmp_path / "parent" / "views").symlink_to(elsewhere)
    views = SharedViews(Path("warehouse.duckdb"), lambda: (7, 7),
                        root=tmp_path / "parent" / "views")
    calls: list = []
    views.get((7, 7), "k", counting({"v": 1}, calls))
    views.get((7, 7), "k", counting({"v": 1}, calls))
    assert calls == [{"v": 1}, {"v": 1}] and not any(elsewhere.iterdir())


def test_plain_gives_the_json_the_browser_gets_and_its_size():
    value, size = plain({"a": [1, 2], "b": "é"})
    # encoded by orjson (a dependency: plotly and so Dash use it), which writes text as UTF-8;
    # the size is in bytes
    assert value == {"a": [1, 2], "b": "é"} and size == len('{"a":[1,2],"b":"é"}'.encode())


def test_json_ready_gives_what_the_encoder_gives_without_encoding():
    import datetime as dt

    import numpy as np
    import plotly.graph_objects as go
    from dash import dcc, html
    from plotly.io.json import to_json_plotly

    from dashboard.markup import Td, Tr
    from dashboard.view_cache import json_ready

    value = {
        "children": [
            html.Div(["tekst", 3, 2.5, None, True], id="x", className="kaart",
                     **{"aria-label": "uitleg", "data-kind": "k"}),
            Tr([Td("één"), Td(html.Strong("twee"))]),
            dcc.Graph(figure=go.Figure(go.Bar(x=["a", "b"], y=np.array([1.5, 2.0])))),
            ("a", "tuple"),
        ],
        "day": dt.date(2026, 12, 5),
        "count": np.int64(7),
    }
    ready = json_ready(value)
    assert json.loads(to_json_plotly(ready)) == json.loads(to_json_plotly(value))
    # components and tuples are gone: only the dates and numpy values are left to the encoder
    assert ready["children"][0]["props"]["aria-label"] == "uitleg"
    assert ready["children"][1]["type"] == "Tr" and ready["children"][3] == ["a", "tuple"]
