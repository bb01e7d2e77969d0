"""Privacy by allow-list: a role downloads only the tables and columns named for it
(``access/downloads.py``). A new fact table, or a new column of a known table, is offered to no
role until someone names it, and then only to the roles that name it."""

from __future__ import annotations

import pytest

from access import downloads
from access.roles import ROLES
from core.errors import IvmError
from core.warehouse.schema import metadata
from dashboard.export.tables import table_csv, table_names

AUDIENCES = ("internal", "public")


def _columns(body: bytes) -> list[str]:
    return body.decode("utf-8-sig").splitlines()[0].split(",")


@pytest.fixture
def with_new_facts(demo_copy):
    """The demo warehouse with a new fact table (``witness``: names and phone numbers) and a
    new column on a known one (``incident.victim_name``)."""
    with demo_copy.writing() as con:
        con.execute("CREATE TABLE witness (incident_id VARCHAR, name VARCHAR, phone VARCHAR)")
        con.execute("INSERT INTO witness VALUES ('PV-1', 'A. Person', '0470 00 00 00')")
        con.execute("ALTER TABLE incident ADD COLUMN victim_name VARCHAR DEFAULT 'B. Person'")
    con = demo_copy.connect_read_only()
    yield con
    con.close()


def test_a_new_fact_table_is_offered_to_no_role(with_new_facts):
    con = with_new_facts
    for role in ROLES:
        for audience in AUDIENCES:
            assert "witness" not in table_names(audience, con, role), (role, audience)
            with pytest.raises(IvmError) as refused:
                table_csv(con, "witness", audience, role)
            assert refused.value.code == ("not_public" if audience == "public"
                                          else "not_allowed")


def test_a_new_column_of_a_known_table_is_offered_to_no_role(with_new_facts):
    con = with_new_facts
    for role in ROLES:
        if "incident" not in downloads.allowed(role, "internal"):
            continue
        body = table_csv(con, "incident", "internal", role)
        assert "victim_name" not in _columns(body)
        assert b"B. Person" not in body


def test_a_named_table_goes_only_to_the_roles_that_name_it(with_new_facts, monkeypatch):
    con = with_new_facts
    monkeypatch.setitem(downloads.DOWNLOADS, "analist",
                        {**downloads.DOWNLOADS["analist"], "witness": ("incident_id",)})
    body = table_csv(con, "witness", "internal", "analist")
    assert _columns(body) == ["incident_id"] and b"PV-1" in body
    assert b"A. Person" not in body and b"0470" not in body  # columns not named stay out
    for role in ROLES:
        for audience in AUDIENCES:
            if (role, audience) == ("analist", "internal"):
                continue
            assert "witness" not in table_names(audience, con, role), (role, audience)
            with pytest.raises(IvmError):
                table_csv(con, "witness", audience, role)


def test_roles_without_incident_level_rights_get_no_incident_level_table(demo_city):
    con = demo_city[0].connect_read_only()
    try:
        for role in ROLES:
            for audience in AUDIENCES:
                names = set(table_names(audience, con, role))
                if not ROLES[role].incident_level or audience == "public":
                    assert not names & set(downloads.INCIDENT_LEVEL), (role, audience)
                if ROLES[role].audience == "public":
                    assert audience == "public" or not names
    finally:
        con.close()


def test_every_named_column_exists_in_the_schema():
    schema = {t.name: {c.name for c in t.columns} for t in metadata.sorted_tables}
    groups = [downloads.AGGREGATES, downloads.INCIDENT_LEVEL, downloads.BOOKKEEPING,
              {k: v for k, v in downloads.PUBLIC.items() if k not in ("indicator_value",
                                                                       "objective_progress")}]
    for group in groups:
        for table, columns in group.items():
            assert table in schema, table
            assert set(columns) <= schema[table], (table, set(columns) - schema[table])
    assert set(downloads.DOWNLOADS) == set(ROLES)
    for role, r in ROLES.items():
        assert downloads.incident_level(role) == r.incident_level, role
