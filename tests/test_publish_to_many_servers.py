"""Publishing warehouse versions to many servers through one shared folder (IVM_PUBLISH_DIR).

Two real ``ivm serve`` processes on 127.0.0.1 read one publish folder (they have no warehouse
file of their own) and one PostgreSQL application store; loads run in a third process on the
loader's own warehouse file and publish each version into the folder. Both servers serve the
new data version from the very first request after a publish; a publish killed with SIGKILL
midway leaves the old version served and the pointer untouched; a view rendered under one
version is never served under another, by either server; old versions are removed only once
no server holds them. The servers' and the loader's logs are read as they wrote them.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.warehouse import Warehouse
from core.warehouse.publish import PublishFolder
from ivm.cli import main
from tests.conftest import admin_cookie, ensure_user, login, serve
from tests.serving import CREDENTIALS
from tests.test_access_control import request

ROOT = Path(__file__).resolve().parent.parent
#: A user name shaped like an e-mail address: it must never reach a log.
PERSON = "jan.peeters@aalst.be"


def incidents(folder: Path, name: str, day: int) -> Path:
    """A one-row incidents delivery of an October ``day`` (a new load and data version)."""
    path = folder / name
    path.write_text(f"category,occurred_at,area_code\nbicycle_theft,2026-10-{day:02d},41002\n",
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def site(demo_city, postgres_cluster, tmp_path_factory):
    """The loader's warehouse (a copy of the demo), its first version published into a shared
    folder, and two servers of that folder: A logs JSON lines, B text."""
    folder = tmp_path_factory.mktemp("publish")
    loader = folder / "loader" / "ivmonitor.duckdb"
    loader.parent.mkdir()
    shutil.copyfile(demo_city[0].path, loader)
    published = folder / "shared"
    served = folder / "server" / "ivmonitor.duckdb"  # the servers have no warehouse file
    url = postgres_cluster.database()
    logs = {"a": folder / "a.log", "b": folder / "b.log"}
    with pytest.MonkeyPatch.context() as env:
        env.setenv("IVM_APP_DB", url)
        env.setenv("IVM_PUBLISH_DIR", str(published))
        env.setenv("IVM_PUBLISH_KEEP", "2")
        for args in (["migrate", "--db", str(loader)], ["publish", "--db", str(loader)]):
            done = CliRunner().invoke(main, args)
            assert done.exit_code == 0, done.output
        env.setenv("IVM_LOG_FORMAT", "json")
        a, proc_a = serve(served, "--workers", "1", log=logs["a"])
        env.setenv("IVM_LOG_FORMAT", "text")
        b, proc_b = serve(served, "--workers", "1", log=logs["b"])
        CREDENTIALS[a] = CREDENTIALS[b]  # one store: B's start gave the admin a new password
        env.setenv("IVM_LOG_FORMAT", "json")
        yield {"a": a, "b": b, "loader": loader, "folder": PublishFolder(published),
               "served": served, "logs": logs, "env": dict(os.environ), "work": folder}
    for p in (proc_a, proc_b):
        p.terminate()
        p.wait(timeout=20)


def load_in_third_process(site, name: str, day: int) -> subprocess.Popen:
    path = incidents(site["work"], name, day)
    return subprocess.Popen(
        [sys.executable, "-m", "ivm", "load", "incidents", str(path), "--db", str(site["loader"])],
        cwd=ROOT, env=site["env"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def served(url: str) -> tuple[str, str]:
    """(data version, the Data page's text) of one request for the Data page's content."""
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/gegevens"},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}
    status, text, res = request(url, "POST", "/_dash-update-component",
                                json.dumps(body).encode(),
                                {"Content-Type": "application/json",
                                 "Cookie": admin_cookie(url)})
    assert status == 200, text[:300]
    return res.headers["X-Data-Version"], text.decode()


def pointer(site) -> dict:
    return json.loads(site["folder"].pointer.read_text())


def test_both_servers_serve_the_published_version(site):
    first = pointer(site)
    assert not site["served"].exists()
    assert (site["folder"].path / first["file"]).is_file()
    for url in (site["a"], site["b"]):
        assert request(url, "GET", "/readyz")[:2] == (200, b"ready\n")
        version, text = served(url)  # rendered now, kept in each server's view cache
        assert version == first["data_version"]
        assert "nieuw-1.csv" not in text


def test_a_load_in_a_third_process_is_served_by_both_from_the_next_request(site):
    before = pointer(site)
    done = load_in_third_process(site, "nieuw-1.csv", 27)
    out, err = done.communicate(timeout=600)
    assert done.returncode == 0, err.decode()
    after = pointer(site)
    assert after["data_version"] != before["data_version"]
    assert after["file"] == f"ivmonitor-{after['data_version']}.duckdb"
    for url in (site["a"], site["b"]):
        version, text = served(url)  # the first request after the publish
        assert version == after["data_version"]
        assert "nieuw-1.csv" in text, "a view rendered under the version before was served"
    events = [json.loads(line) for line in err.decode().splitlines() if line.startswith("{")]
    [load] = [e for e in events if e["event"] == "load"]
    [publish] = [e for e in events if e["event"] == "publish"]
    assert load["outcome"] == "loaded" and load["data_version"] == after["data_version"]
    assert publish["sha256"] == after["sha256"] and publish["file"] == after["file"]


def test_a_publish_killed_midway_leaves_the_old_version_served(site):
    folder = site["folder"]
    before = folder.pointer.read_bytes()
    label = json.loads(before)["data_version"]
    loader_before = site["loader"].stat()
    proc = load_in_third_process(site, "nieuw-2.csv", 28)
    try:
        deadline = time.monotonic() + 600
        while not list(folder.path.glob("*.part")):
            assert proc.poll() is None, "the load ended before its publish could be caught"
            assert time.monotonic() < deadline
            time.sleep(0.0005)
        os.kill(proc.pid, signal.SIGSTOP)  # frozen while it writes the new version's file
        [part] = list(folder.path.glob("*.part"))
        for url in (site["a"], site["b"]):
            assert served(url)[0] == label
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert folder.pointer.read_bytes() == before
    assert site["loader"].stat().st_ino == loader_before.st_ino  # nor published here
    for url in (site["a"], site["b"]):
        version, text = served(url)
        assert version == label and "nieuw-2.csv" not in text
        assert request(url, "GET", "/readyz")[:2] == (200, b"ready\n")
    assert part.exists()  # what the killed publish left: no pointer names it
    done = load_in_third_process(site, "nieuw-3.csv", 29)
    assert done.wait(timeout=600) == 0, done.stderr.read().decode()
    assert not list(folder.path.glob("*.part")), "the next publish removed the leftover"
    new = pointer(site)["data_version"]
    assert new != label
    for url in (site["a"], site["b"]):
        version, text = served(url)
        assert version == new and "nieuw-3.csv" in text


def held(path: Path) -> bool:
    """Whether some process holds the version file's lock (a server serves it)."""
    with open(path, "rb") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(f, fcntl.LOCK_UN)
        return False


def test_old_versions_go_only_when_no_server_holds_them(site):
    """IVM_PUBLISH_KEEP=2: the folder keeps two versions, and those a server still holds."""
    folder = site["folder"]
    now = pointer(site)
    files = sorted(folder.versions(), key=lambda p: p.stat().st_mtime_ns)
    # the first version outlived the publish of nieuw-3, when the servers still held it
    assert len(files) == 3, files
    first, second, third = files
    assert not held(first) and held(second) and held(third)
    # a publish in this process (the same data: the name gets -2)
    with Warehouse(site["loader"]).writing():
        pass
    again = pointer(site)
    assert again["file"] == f"ivmonitor-{now['data_version']}-2.duckdb"
    assert again["data_version"] == now["data_version"]
    assert not first.exists(), "no server held it: removed"
    assert second.exists(), "beyond the two kept, but a server holds it"
    for url in (site["a"], site["b"]):  # both move on and let go of it
        assert served(url)[0] == now["data_version"]
    assert not held(second)
    with Warehouse(site["loader"]).writing():
        pass
    names = {p.name for p in folder.versions()}
    assert second.name not in names
    assert {pointer(site)["file"], again["file"], third.name} == names  # third: still held
    for url in (site["a"], site["b"]):
        assert served(url)[0] == now["data_version"]


def test_a_file_that_is_not_what_the_pointer_says_is_never_served(site):
    """A pointer naming a truncated file (a copy by another tool gone wrong): the servers keep
    the version they serve, and log why."""
    folder = site["folder"]
    good = folder.pointer.read_bytes()
    doc = json.loads(good)
    broken = folder.path / "ivmonitor-999.1.duckdb"
    data = (folder.path / doc["file"]).read_bytes()
    broken.write_bytes(data[: len(data) // 2])
    tmp = folder.path / "pointer.tmp"
    tmp.write_text(json.dumps({**doc, "file": broken.name, "data_version": "999.1",
                               "bytes": len(data) // 2}))
    os.replace(tmp, folder.pointer)
    try:
        for url in (site["a"], site["b"]):
            assert served(url)[0] == doc["data_version"]
    finally:
        tmp.write_bytes(good)
        os.replace(tmp, folder.pointer)
        broken.unlink()
    refused = [json.loads(line) for line in site["logs"]["a"].read_text().splitlines()
               if '"version_refused"' in line]
    assert refused and refused[-1]["file"] == broken.name
    assert "version_refused" in site["logs"]["b"].read_text()


def test_the_servers_log_every_request_without_personal_data(site):
    a, b = site["a"], site["b"]
    password = ensure_user(site["served"], PERSON, "analist")
    cookie = login(a, PERSON, password)
    status, _, res = request(a, "GET", "/gegevens", None, {"Cookie": cookie})
    assert status == 200
    request_id, version = res.headers["X-Request-ID"], res.headers["X-Data-Version"]
    assert request(b, "GET", "/", None, {"Cookie": cookie})[0] == 200
    text = site["logs"]["a"].read_text(encoding="utf-8")
    lines = [json.loads(line) for line in text.splitlines()]  # every line one JSON object
    [mine] = [e for e in lines if e.get("request_id") == request_id]
    assert mine["event"] == "request" and mine["level"] == "info"
    assert (mine["method"], mine["path"], mine["status"]) == ("GET", "/gegevens", 200)
    assert mine["role"] == "analist" and mine["data_version"] == version
    assert isinstance(mine["duration_ms"], float) and mine["duration_ms"] > 0
    assert mine["time"].endswith("Z")
    assert len(mine["account"]) == 12 and mine["account"] not in PERSON
    sign_in = [e for e in lines if e.get("path") == "/login" and e.get("method") == "POST"]
    assert sign_in and sign_in[-1]["status"] == 302
    callbacks = [e for e in lines if e.get("callback")]
    assert callbacks and all(e["data_version"] for e in callbacks)
    text_b = site["logs"]["b"].read_text(encoding="utf-8")
    line_b = [t for t in text_b.splitlines() if " request " in t and "path=/ " in t][-1]
    assert "status=200" in line_b and f"account={mine['account']}" in line_b  # one key
    for log in (text, text_b):
        assert PERSON not in log and "jan.peeters" not in log and password not in log
        requests = [t for t in log.splitlines() if "request" in t]
        assert requests and not [t for t in requests if "127.0.0.1" in t]  # no addresses


def test_a_request_reads_one_version_from_start_to_end(toy_city, write, tmp_path, monkeypatch):
    """In one process: a version published while a request runs is not read by that request
    (neither its queries nor its rendered views), and what it renders under its version is
    never kept for the newer one."""
    from dashboard.data import DashboardData
    from etl.load import load_file

    monkeypatch.setenv("IVM_PUBLISH_DIR", str(tmp_path / "shared"))
    toy_city.publish()
    server = Warehouse(tmp_path / "server.duckdb", served_from=PublishFolder(tmp_path / "shared"))
    data = DashboardData(server)

    def loads() -> int:
        return data.with_connection(
            lambda c: c.execute("SELECT count(*) FROM load_log").fetchall()[0][0])

    with data.pinned() as first:  # a request
        count = loads()
        load_file(toy_city, "areas", write("more.csv", "code,name,level\n41003,Erpe,gemeente\n"))
        assert server.current().token != first.token  # published meanwhile
        assert loads() == count and data.token() == first.token
        with data.pinned() as second:  # a request that began after the publish
            assert second.token != first.token
            assert loads() == count + 1
            assert data.rendered(("view",), loads) == count + 1
        assert data.rendered(("view",), loads) == count  # its own version's view
        assert loads() == count
    with data.pinned():
        assert data.rendered(("view",), lambda: -1) == count + 1  # kept for the new version


def test_the_log_names_an_account_by_one_hash_on_either_store(app_db, warehouse, capsys,
                                                              monkeypatch):
    """On SQLite and on PostgreSQL: two app processes of one application store log the same
    account under the same hash (the key is the store's), never its name."""
    from core.logs import configure
    from dashboard.app import create_app

    monkeypatch.setenv("IVM_LOG_FORMAT", "json")
    password = ensure_user(warehouse.path, PERSON, "analist")
    configure("stdout")
    hashes = []
    try:
        for _server in range(2):
            client = create_app(warehouse).server.test_client()
            assert client.post("/login", data={"name": PERSON, "password": password}
                               ).status_code == 302
            res = client.get("/gegevens")
            assert res.status_code == 200
            [line] = [json.loads(t) for t in capsys.readouterr().out.splitlines()
                      if res.headers["X-Request-ID"] in t]
            assert (line["event"], line["path"], line["role"]) == ("request", "/gegevens",
                                                                    "analist")
            hashes.append(line["account"])
    finally:
        configure("stderr", logging.ERROR)  # back to errors only, as the command line has it
    assert hashes[0] == hashes[1] and len(hashes[0]) == 12 and hashes[0] not in PERSON
