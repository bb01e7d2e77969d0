"""Pages declared once: a page's key, path, id prefix, title and roles live with its
:func:`register_page` call, at the top of its module in ``dashboard/pages``.

Everything that needs a page's identity reads it here: the navigation (:mod:`dashboard.
components`), the guard that allows or refuses a page, a callback or a path
(:mod:`dashboard.auth`), the warm-up (:mod:`dashboard.views`) and the table of what each role
may open (``ivm user roles``, :func:`role_pages`). A page forgotten here does not exist; a page
registered here is navigable, guarded and listed at once.

- ``key``: the page's name in the role table (``areas``); ``objective`` is the detail page of
  one objective, which a role with ``own_objectives_only`` opens only for its partner's.
- ``path``: ``/wijken``, or a template with variables (``/doelstelling/<objective_id>``).
- ``prefix``: every component id of the page starts with ``<prefix>-``, so a callback belongs to
  the page its outputs are on. ``public_prefix`` names the public audience's own components on
  a page whose other callbacks read internal figures (``internal=True``).
- ``title``: the page's name in Dutch and English (navigation, the browser's title).
- ``roles``: the roles that may open it (:data:`access.roles.ROLES`).
- ``nav``: its place in the navigation bar (None: not in it, like an objective's page).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, quote, unquote

import dash
from flask import has_request_context, request

from access.roles import ROLES, Viewer
from core.vocabulary import Text
from dashboard.branding import current_branding

HERE = Path(__file__).resolve().parent

#: Every role; the internal ones (their audience sees every figure).
EVERYONE = frozenset(ROLES)
INTERNAL = frozenset(r for r, role in ROLES.items() if role.audience == "internal")

#: Callback outputs that belong to every page (the frame) or to the page container.
SHARED_IDS = frozenset({"lang-switch"})
PAGES_CALLBACK = "_pages_content"
HARMLESS_IDS = frozenset({"_pages_dummy"})


@dataclass(frozen=True)
class Page:
    """One page of the dashboard (see the module's docstring)."""

    key: str
    path: str
    prefix: str
    title: Text
    roles: frozenset[str]
    module: str
    nav: int | None = None
    internal: bool = False
    public_prefix: str | None = None

    @property
    def template(self) -> bool:
        """Whether the path has variables (``/doelstelling/<objective_id>``)."""
        return "<" in self.path

    @property
    def base(self) -> str:
        """The path, or a template's fixed part (``/doelstelling/``)."""
        return self.path.split("<", 1)[0]

    def name(self, lang: str) -> str:
        """The page's name in ``lang``."""
        return self.title.get(lang) or self.title["nl"]


PAGES: dict[str, Page] = {}


def register_page(module: str, *, key: str, path: str, prefix: str, title: Text,
                  roles: Iterable[str], nav: int | None = None, internal: bool = False,
                  public_prefix: str | None = None,
                  document_title: str | Callable[..., str] | None = None,
                  warm_views: Callable[[Any], list[dict[str, str]]] | None = None,
                  warm_reads: Callable[[Any], None] | None = None) -> Page:
    """Declare a page (call it at the top of the page's module, with ``__name__``) and register
    it with Dash's page registry. ``warm_views`` (a template page): the path variables of the
    views the warm-up renders, from the data. ``warm_reads``: the reads the page's callbacks
    start from, made by the warm-up in every serving process (its answers are the process's
    own, unlike rendered views)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"page '{key}': unknown role(s) {sorted(unknown)}")
    page = Page(key, path, prefix, dict(title), frozenset(roles), module, nav, internal,
                public_prefix)
    for other in PAGES.values():
        same = (other.key, other.path, other.prefix) == (key, path, prefix)
        if not same and (other.key == key or other.path == path or bool(
                {other.prefix, other.public_prefix} & {prefix, public_prefix} - {None})):
            raise ValueError(f"page '{key}' ({module}) clashes with '{other.key}' "
                             f"({other.module}): key, path and id prefix are one page's own")
    PAGES[key] = page
    options: dict[str, Any] = {"path_template": path} if page.template else {"path": path}
    dash.register_page(module, name=f"{page.name('nl')} / {page.name('en')}",
                       title=document_title or _document_title(page),
                       warm_views=warm_views, warm_reads=warm_reads, **options)
    return page


def _document_title(page: Page) -> Callable[..., str]:
    """The browser's title of a page, in the language of the request: ``Wijken — Aalst ·
    ivmonitor``."""
    def title(**_variables: str) -> str:
        return f"{page.name(request_lang())} — {current_branding().title}"
    return title


def request_lang() -> str:
    """The language of the request being answered: ``?lang=en`` in its address, or in the
    address a pages callback renders; Dutch otherwise."""
    if has_request_context():
        if request.args.get("lang") == "en":
            return "en"
        if request.is_json:
            body = request.get_json(silent=True) or {}
            for item in body.get("inputs", []) if isinstance(body, dict) else []:
                if isinstance(item, dict) and item.get("id") == "_pages_location" and \
                        item.get("property") == "search":
                    return "en" if parse_qs(str(item.get("value") or "").lstrip("?")).get(
                        "lang") == ["en"] else "nl"
    return "nl"


def load_pages() -> dict[str, Page]:
    """Every page, for a process that serves none (``ivm user roles``): the page modules are
    imported by a Dash app made for it."""
    if not PAGES:
        dash.Dash(__name__, use_pages=True, pages_folder=str(HERE / "pages"),
                  assets_folder=str(HERE / "assets"))
    return PAGES


def page_module(key: str) -> ModuleType:
    """The module of a registered page, as the app imported it (Dash names it ``pages.<name>``;
    importing it again under another name would register the page twice)."""
    return sys.modules[PAGES[key].module]


def navigation() -> list[Page]:
    """The pages of the navigation bar, in their places."""
    return sorted((p for p in PAGES.values() if p.nav is not None),
                  key=lambda p: (p.nav, p.key))


def may_open(viewer: Viewer, key: str) -> bool:
    """Whether ``viewer``'s role may open the page ``key``."""
    page = PAGES.get(key)
    return page is not None and viewer.role.name in page.roles


def may_open_objective(viewer: Viewer, record: dict) -> bool:
    """Whether ``viewer`` may open the page of an objective (a status record): the objective
    page is theirs, and a role that follows its partner's objectives only follows this one."""
    return may_open(viewer, "objective") and viewer.may_see_objective(record)


def role_pages(role: str) -> list[str]:
    """The pages a role may open (the role table)."""
    return sorted(k for k, p in PAGES.items() if role in p.roles)


def page_of_path(path: str) -> tuple[str | None, str | None]:
    """The page a path shows and, for a template page, its variable (the objective id)."""
    path = path.rstrip("/") or "/"
    for page in PAGES.values():
        if page.template:
            if path.startswith(page.base) and len(path) > len(page.base):
                return page.key, unquote(path[len(page.base):])
        elif path == page.path:
            return page.key, None
    return None, None


def path_of(key: str, **variables: str) -> str:
    """The path of a page, a template's variables filled in (``path_of("objective",
    objective_id="PREV-01")`` is ``/doelstelling/PREV-01``)."""
    path = PAGES[key].path
    for name, value in variables.items():
        path = path.replace(f"<{name}>", quote(str(value), safe=""))
    return path


def output_ids(output: str) -> list[str]:
    """The component ids of a callback's output key (``..a.b...c.d..`` or ``a.b``); a
    pattern-matching id gives its ``type``."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    ids = []
    for part in parts:
        ident = part.rsplit(".", 1)[0]
        if ident.startswith("{"):
            try:
                ident = str(json.loads(ident).get("type", ""))
            except ValueError:
                ident = ""
        ids.append(ident)
    return ids


def _page_of_prefix(prefix: str) -> Page | None:
    return next((p for p in PAGES.values() if prefix in (p.prefix, p.public_prefix)), None)


def callback_page(output: str) -> str | None:
    """The page a callback belongs to: ``pages`` for the page container, ``any`` for the
    frame's harmless ones, None when it belongs to no known page (then it is refused)."""
    ids = [i for i in output_ids(output) if i not in SHARED_IDS]
    if not ids:
        return None
    if ids[0] == PAGES_CALLBACK:
        return "pages"
    if all(i in HARMLESS_IDS for i in ids):
        return "any"
    pages = {getattr(_page_of_prefix(i.split("-", 1)[0]), "key", None) for i in ids}
    if len(pages) != 1 or None in pages:
        return None
    return pages.pop()


def internal_callback(output: str) -> bool:
    """Whether a callback reads internal figures: its outputs are a page's own components on
    a page marked ``internal`` (the public audience has its own, under ``public_prefix``)."""
    for i in output_ids(output):
        if i in SHARED_IDS:
            continue
        page = _page_of_prefix(i.split("-", 1)[0])
        if page is not None and page.internal and i.split("-", 1)[0] == page.prefix:
            return True
    return False


__all__ = ["EVERYONE", "INTERNAL", "PAGES", "Page", "callback_page",
           "internal_callback", "load_pages", "may_open", "may_open_objective", "navigation",
           "output_ids", "page_module", "page_of_path", "path_of", "register_page", "request_lang",
           "role_pages"]
