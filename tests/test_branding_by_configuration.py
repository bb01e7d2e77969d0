"""Another city deploys the same code with its own name, logo and contact: all set by
configuration (``IVM_CITY_NAME``, ``IVM_CITY_LOGO``, ``IVM_CITY_CONTACT``, ``IVM_CITY_WEBSITE``),
shown on the sign-in page, every page's header and footer, the browser's title and the
accessibility statement, for the internal and the public server alike."""

from __future__ import annotations

import json
import shutil
import struct
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import pytest

from dashboard.branding import MAX_LOGO_BYTES, branding, logo_file
from tests.conftest import render, serve

CITY = "Stad Testdorp"
CONTACT = "veiligheid@testdorp.be"
WEBSITE = "https://www.testdorp.be"


def png(width: int = 2, height: int = 2) -> bytes:
    """A real (tiny, grey) PNG image."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0,
                                                            0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=60) as res:
            return res.status, res.headers.get("Content-Type", ""), res.read()
    except urllib.error.HTTPError as e:
        return e.code, "", b""


@pytest.fixture(scope="module")
def branded(demo_city, tmp_path_factory):
    """The demo served twice (signed in and public) as Stad Testdorp, with its logo."""
    folder = tmp_path_factory.mktemp("branded")
    db = folder / "demo.duckdb"
    shutil.copyfile(demo_city[0].path, db)
    logo = folder / "logo.png"
    logo.write_bytes(png())
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("IVM_CITY_NAME", CITY)
        mp.setenv("IVM_CITY_LOGO", str(logo))
        mp.setenv("IVM_CITY_CONTACT", CONTACT)
        mp.setenv("IVM_CITY_WEBSITE", WEBSITE)
        url, proc = serve(db)
        public_url, public_proc = serve(db, "--public")
    yield {"url": url, "public": public_url, "logo": logo}
    for p in (proc, public_proc):
        p.terminate()
        p.wait(timeout=20)


def test_the_sign_in_page_carries_the_citys_name_and_logo_in_the_chosen_language(branded):
    status, _, body = get(branded["url"] + "/login?lang=en")
    page = body.decode()
    assert status == 200
    assert '<html lang="en">' in page
    assert f"<title>Sign in — {CITY} · ivmonitor</title>" in page
    assert '<img src="/branding/logo"' in page
    status, kind, logo = get(branded["url"] + "/branding/logo")
    assert (status, kind, logo) == (200, "image/png", branded["logo"].read_bytes())


def test_every_page_names_the_city_and_its_contact_for_both_audiences(branded):
    for url in (branded["url"], branded["public"]):
        text = json.dumps(json.loads(render(url, "/", "?lang=nl")), ensure_ascii=False)
        assert f"{CITY} · ivmonitor" in text
        assert f"mailto:{CONTACT}" in text and WEBSITE in text
        assert "/branding/logo" in text
        assert '"footer-accessibility"' in text


def test_the_accessibility_statement_names_the_city_and_whom_to_contact(branded):
    for lang, words in (("nl", "wil deze monitor voor iedereen toegankelijk maken"),
                        ("en", "wants this monitor to be accessible to everyone")):
        content = json.loads(render(branded["public"], "/toegankelijkheid", f"?lang={lang}"))
        text = json.dumps(content, ensure_ascii=False)
        assert f"{CITY} {words}" in text
        assert f"mailto:{CONTACT}" in text
        assert "WCAG" in text


def test_without_configuration_the_monitor_names_the_municipality_and_shows_no_logo(demo_url):
    status, _, body = get(demo_url + "/login")
    assert status == 200
    assert "Aalst · ivmonitor" in body.decode()
    assert "/branding/logo" not in body.decode()
    assert get(demo_url + "/branding/logo")[0] == 404


def test_a_logo_too_large_or_not_an_image_is_not_shown(tmp_path: Path, monkeypatch):
    big = tmp_path / "big.png"
    big.write_bytes(png() + b"\0" * MAX_LOGO_BYTES)
    text = tmp_path / "logo.txt"
    text.write_text("not an image")
    for path, shown in ((big, None), (text, None), (tmp_path / "missing.png", None)):
        monkeypatch.setenv("IVM_CITY_LOGO", str(path))
        assert logo_file() is shown
    good = tmp_path / "logo.png"
    good.write_bytes(png())
    monkeypatch.setenv("IVM_CITY_LOGO", str(good))
    monkeypatch.setenv("IVM_CITY_NAME", "")
    assert branding("Aalst").logo == good
    assert branding("Aalst").title == "Aalst · ivmonitor"
    assert branding(None).title == "ivmonitor"
