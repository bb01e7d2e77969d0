"""The roles and what each may see: pages, audience, incident-level data, administration.

This is the one table the server enforces (``dashboard.auth``) and the tests check against.
Pages are the dashboard's page keys; ``objective`` is the detail page of one objective, which the
``dienst`` role only sees for the objectives its partner owns or contributes to.

Audiences: ``internal`` sees every figure; ``public`` sees the figures of the public council
workbook only (small counts suppressed, with complementary suppression; see
``dashboard.export.suppress``).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Every page of the dashboard.
PAGES = ("overview", "chain", "areas", "partners", "objective", "data", "export", "admin")


@dataclass(frozen=True)
class Role:
    """What one role may see."""

    name: str
    label_nl: str
    label_en: str
    pages: frozenset[str]
    audience: str
    incident_level: bool
    admin: bool = False
    own_objectives_only: bool = False


_ALL = frozenset(PAGES) - {"admin"}
_AGGREGATE = frozenset({"overview", "chain", "areas", "partners", "export"})

ROLES: dict[str, Role] = {r.name: r for r in [
    Role("beheerder", "beheerder", "administrator", frozenset(PAGES), "internal", True,
         admin=True),
    Role("analist", "analist", "analyst", _ALL, "internal", True),
    Role("bestuur", "bestuur", "management", _ALL, "internal", False),
    Role("politie", "politie", "police", _ALL, "internal", True),
    Role("dienst", "stadsdienst of partner", "city service or partner",
         _AGGREGATE | {"objective"}, "public", False, own_objectives_only=True),
    Role("publiek", "publiek", "public", _AGGREGATE, "public", False),
]}

#: The roles a user account can have (the public audience needs no account).
ACCOUNT_ROLES = tuple(r for r in ROLES if r != "publiek")


@dataclass(frozen=True)
class Viewer:
    """Who is asking: a user with a role (and, for ``dienst``, a partner), or the public."""

    name: str | None
    role: Role
    partner: str | None = None

    @property
    def audience(self) -> str:
        """``internal`` or ``public``: which figures this viewer gets."""
        return self.role.audience

    def may_see(self, page: str) -> bool:
        """Whether this viewer may open ``page``."""
        return page in self.role.pages

    def may_see_objective(self, record: dict) -> bool:
        """Whether this viewer may open the detail of an objective (a status record)."""
        if not self.may_see("objective"):
            return False
        if not self.role.own_objectives_only:
            return True
        return self.partner is not None and (
            record.get("owner") == self.partner or self.partner in (record.get("partners") or []))


PUBLIC = Viewer(None, ROLES["publiek"])


def role(name: str) -> Role:
    """The role called ``name``; ValueError when there is none."""
    try:
        return ROLES[name]
    except KeyError:
        raise ValueError(f"unknown role '{name}' (one of {', '.join(ROLES)})") from None
