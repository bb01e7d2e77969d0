"""The city behind the monitor: its name, logo, contact and website, set by configuration
(``IVM_CITY_NAME``, ``IVM_CITY_LOGO``, ``IVM_CITY_CONTACT``, ``IVM_CITY_WEBSITE``; see
``docs/settings.md``), never in code, so another city deploys the same code with its own.

Without a name the monitor names the municipality in the warehouse (one municipality: its name);
the logo is served from ``/branding/logo`` to everyone (the sign-in page shows it too).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from flask import Flask, Response, abort

from core.settings import setting
from dashboard.sites import current_site

#: The logo's largest size: a header image, not a download.
MAX_LOGO_BYTES = 512 * 1024
LOGO_PATH = "/branding/logo"
LOGO_TYPES = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg",
              ".jpeg": "image/jpeg", ".webp": "image/webp"}
PRODUCT = "ivmonitor"


@dataclass(frozen=True)
class Branding:
    """The city's name, logo file, contact and website (empty when not set)."""

    name: str
    logo: Path | None
    contact: str
    website: str

    @property
    def title(self) -> str:
        """What the header and the browser's title call the monitor: ``Aalst · ivmonitor``."""
        return f"{self.name} · {PRODUCT}" if self.name else PRODUCT


def logo_file() -> Path | None:
    """The configured logo, when it is a file of a known image type within the size limit."""
    value = setting("city_logo").strip()
    if not value:
        return None
    path = Path(value)
    if path.suffix.lower() not in LOGO_TYPES or not path.is_file() or \
            path.stat().st_size > MAX_LOGO_BYTES:
        return None
    return path


def branding(municipality: str | None = None) -> Branding:
    """The branding in force; ``municipality`` names the city when ``IVM_CITY_NAME`` is empty."""
    name = setting("city_name").strip() or (municipality or "")
    return Branding(name=name, logo=logo_file(), contact=setting("city_contact").strip(),
                    website=setting("city_website").strip())


def install_logo_route(server: Flask) -> None:
    """Serve the configured logo at :data:`LOGO_PATH` (404 without one)."""

    def logo() -> Response:
        path = logo_file()
        if path is None:
            abort(404)
        return Response(path.read_bytes(), mimetype=LOGO_TYPES[path.suffix.lower()],
                        headers={"Cache-Control": "public, max-age=3600"})

    server.add_url_rule(LOGO_PATH, "ivm_logo", logo)


def current_branding() -> Branding:
    """The branding of the current request's site: a tenant is called by its name in the
    tenants file; the one city of an installation without tenants by ``IVM_CITY_NAME``, or,
    when that is empty, by the municipality in its warehouse (the one among its areas)."""
    try:
        site = current_site()
    except (PermissionError, RuntimeError, KeyError):  # no app or no resolved site
        return branding(None)
    if site.tenant is not None:
        return replace(branding(), name=site.tenant.name)
    name = None
    data = site.data
    if not setting("city_name").strip():
        try:  # kept per version: asked by every page and callback
            names = data.kept(("municipality_names",), lambda: list(
                data.areas("gemeente")["name"].dropna().unique()))
        except Exception:  # noqa: BLE001 - no warehouse yet: the product's name alone
            names = []
        name = names[0] if len(names) == 1 else None
    return branding(name)
