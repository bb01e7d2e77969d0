"""The roles and what each may see: audience, incident-level data, administration, and whether
it follows its partner's objectives only.

Which pages a role may open is declared with each page (``dashboard.registry.register_page``,
its ``roles``); what a role may download is :mod:`access.downloads`. The ``dienst`` role sees an
objective's detail only for the objectives its partner owns or contributes to.

Audiences: ``internal`` sees every figure; ``public`` sees the figures of the public council
workbook only (small counts suppressed, with complementary suppression; see
``dashboard.export.suppress``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    """What one role may see."""

    name: str
    label_nl: str
    label_en: str
    audience: str
    incident_level: bool
    admin: bool = False
    own_objectives_only: bool = False


ROLES: dict[str, Role] = {r.name: r for r in [
    Role("beheerder", "beheerder", "administrator", "internal", True, admin=True),
    Role("analist", "analist", "analyst", "internal", True),
    Role("bestuur", "bestuur", "management", "internal", False),
    Role("politie", "politie", "police", "internal", True),
    Role("dienst", "stadsdienst of partner", "city service or partner", "public", False,
         own_objectives_only=True),
    Role("publiek", "publiek", "public", "public", False),
]}

#: The roles a user account can have (the public audience needs no account).
ACCOUNT_ROLES = tuple(r for r in ROLES if r != "publiek")


#: The roles that work with the indicator catalogue and see its technical names (indicator
#: ids); the others read the indicators' titles only.
ANALYST_ROLES = frozenset({"beheerder", "analist"})


#: The roles that may write every owner's update and every action's state (the mayor's
#: steering and the administrator); a ``dienst`` account writes for its own partner only.
STEERING_ROLES = frozenset({"beheerder", "bestuur"})


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

    def may_see_objective(self, record: dict) -> bool:
        """Whether this viewer may follow an objective (a status record): every objective,
        or, for a role that follows its partner's only, those its partner owns or joins."""
        if not self.role.own_objectives_only:
            return True
        return self.partner is not None and (
            record.get("owner") == self.partner or self.partner in (record.get("partners") or []))

    def may_report_for(self, owner: str | None) -> bool:
        """Whether this viewer may write an owner's update, or an action's state, for what
        ``owner`` answers for: the owner's own accounts, the beheerder and the bestuur."""
        if self.role.name in STEERING_ROLES:
            return True
        return self.role.name == "dienst" and owner is not None and self.partner == owner


PUBLIC = Viewer(None, ROLES["publiek"])


def role(name: str) -> Role:
    """The role called ``name``; ValueError when there is none."""
    try:
        return ROLES[name]
    except KeyError:
        raise ValueError(f"unknown role '{name}' (one of {', '.join(ROLES)})") from None
