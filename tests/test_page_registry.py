"""Pages declared once: a page's path, id prefix, roles and title live with its ``register_page``
call (``dashboard/registry.py``), and the navigation, the guard and the role table read them.

A page added from a test module, with nothing else written anywhere, is navigable, guarded and
listed for exactly the roles it names."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import dash
import pytest
from plotly.utils import PlotlyJSONEncoder

from access.roles import PUBLIC, ROLES, Viewer
from dashboard import registry
from dashboard.app import create_app
from dashboard.components import frame

ROOT = Path(__file__).resolve().parent.parent

PAGE = '''
from dash import html

from dashboard.registry import register_page

PAGE = register_page(__name__, key="{key}", path="/{key}", prefix="{key}", nav=9,
                     title={{"nl": "Proef {key}", "en": "Trial {key}"}}, roles={roles!r})


def layout(lang=None, **query):
    return html.Div("proef", id="{key}-body")
'''


@pytest.fixture(scope="module")
def app(demo_city):
    return create_app(demo_city[0], public=True)


@pytest.fixture
def trial_page(app, tmp_path, monkeypatch):
    """A page module written by the test: ``make(key, roles)`` imports it (it registers)."""
    monkeypatch.syspath_prepend(str(tmp_path))
    made = []

    def make(key: str, roles: set[str]):
        (tmp_path / f"{key}_page.py").write_text(PAGE.format(key=key, roles=roles),
                                                  encoding="utf-8")
        module = importlib.import_module(f"{key}_page")
        made.append((key, module.__name__))
        dash.page_registry[module.__name__]["layout"] = module.layout  # as Dash does at start
        return module.PAGE

    yield make
    for key, module in made:
        registry.PAGES.pop(key, None)
        dash.page_registry.pop(module, None)
        sys.modules.pop(module, None)


def _status(app, path: str) -> int:
    return app.server.test_client().get(path).status_code


def _callback(app, path: str) -> int:
    body = {"output": "_pages_content.children", "outputs": {"id": "_pages_content",
                                                             "property": "children"},
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "changedPropIds": ["_pages_location.pathname"]}
    return app.server.test_client().post("/_dash-update-component", data=json.dumps(body),
                                         content_type="application/json").status_code


def test_every_page_module_registers_one_page(app):
    modules = {p.module.rsplit(".", 1)[-1] for p in registry.PAGES.values()}
    files = {p.stem for p in (ROOT / "dashboard" / "pages").glob("*.py") if p.stem != "__init__"}
    assert files <= modules
    keys = [p.key for p in registry.PAGES.values()]
    prefixes = [x for p in registry.PAGES.values() for x in (p.prefix, p.public_prefix) if x]
    assert len(set(keys)) == len(keys) and len(set(prefixes)) == len(prefixes)
    for page in registry.PAGES.values():
        assert page.roles <= set(ROLES) and page.title["nl"] and page.title["en"]


def test_a_new_page_is_open_to_the_roles_it_names_and_refused_to_the_others(app, trial_page):
    page = trial_page("proefopen", {"publiek", "analist"})
    closed = trial_page("proefdicht", {"analist"})
    # the guard
    assert _status(app, "/proefopen") == 200
    assert _status(app, "/proefdicht") == 403
    assert _callback(app, "/proefdicht") == 403
    # the role table
    assert page.key in registry.role_pages("publiek")
    assert closed.key in registry.role_pages("analist")
    assert closed.key not in registry.role_pages("publiek")
    assert closed.key not in registry.role_pages("bestuur")
    # a callback of the page's components belongs to it
    assert registry.callback_page("proefdicht-body.children") == "proefdicht"
    assert registry.page_of_path("/proefdicht") == ("proefdicht", None)
    # the navigation: shown to the roles that may open it, with its title
    analist = Viewer("a", ROLES["analist"])
    with app.server.test_request_context("/"):
        for viewer, shown in ((PUBLIC, {"proefopen"}), (analist, {"proefopen", "proefdicht"})):
            from dashboard.viewer import set_viewer

            set_viewer(viewer)
            text = json.dumps(frame("overview", "en", {}, []), cls=PlotlyJSONEncoder)
            for key in ("proefopen", "proefdicht"):
                assert (f'"nav-{key}"' in text) == (key in shown), (viewer.role.name, key)
            assert "Trial proefopen" in text


def test_two_pages_cannot_share_a_path_or_a_prefix(app, trial_page):
    trial_page("proefeen", {"analist"})
    with pytest.raises(ValueError, match="clashes"):
        registry.register_page("elders", key="proeftwee", path="/proefeen", prefix="proeftwee",
                               title={"nl": "x", "en": "x"}, roles={"analist"})
    with pytest.raises(ValueError, match="unknown role"):
        registry.register_page("elders", key="proefdrie", path="/proefdrie",
                               prefix="proefdrie", title={"nl": "x", "en": "x"},
                               roles={"burgemeester"})


def test_the_objective_page_fills_its_template(app):
    assert registry.path_of("objective", objective_id="PREV 01") == "/doelstelling/PREV%2001"
    assert registry.page_of_path("/doelstelling/PREV%2001") == ("objective", "PREV 01")
