"""The Signalen page: the early warning's alerts in plain words, whom they concern, their weeks
one click away; in Dutch and in English; for the internal roles only (see the access tests)."""

from __future__ import annotations

from typing import Any

from tests.conftest import page_content, texts


def _content(url: str, search: str = "") -> Any:
    return page_content(url, "/signalen", search)


_texts = texts


def _ids(node: Any) -> list[str]:
    out: list[str] = []

    def walk(n: Any) -> None:
        if isinstance(n, list):
            for x in n:
                walk(x)
        elif isinstance(n, dict):
            props = n.get("props", {})
            if isinstance(props.get("id"), str):
                out.append(props["id"])
            elif isinstance(props.get("id"), dict):  # a pattern-matching id: its type
                out.append(props["id"]["type"])
            walk(props.get("children"))

    walk(node)
    return out


def test_the_demo_outbreak_is_on_the_page_in_plain_words(demo_url):
    content = _content(demo_url)
    text = _texts(content)
    assert "Signalen" in text
    assert "Diefstal uit of aan voertuig" in text
    assert "gewoonlijk ongeveer" in text and "Loopt" in text
    ident = next(i for i in _ids(content) if i.startswith("alert-") and i.endswith("-table"))
    assert "theft_from_vehicle" in ident
    # the weeks one click away: a chart and a table of 13 weeks
    assert "alerts-graph" in _ids(content)
    assert "alerts-note" in _ids(content)  # the closing note, or the form, filled in


def test_the_page_in_english(demo_url):
    text = _texts(_content(demo_url, "?lang=en"))
    assert "Alerts" in text and "Theft from a vehicle" in text and "usually about" in text
    assert "gewoonlijk" not in text


def test_a_running_alert_is_on_the_mayors_attention_list(demo_url):
    from tests.conftest import page_content

    text = texts(page_content(demo_url, "/"))
    assert "signaal in een wijk" in text
    assert "Diefstal uit of aan voertuig – Aalst Linkeroever Centrum - Noordwijk" in text
