"""The sites one server serves, and which one a request is for.

A site is one city's monitor: its warehouse, the dashboard's data object (with its caches and
rendered views, :class:`dashboard.data.DashboardData`) and its application store (accounts,
sessions, audit log, throttle, steering records, :class:`access.store.AccessStore`). Without a
tenants file the server has one site, the warehouse it was started for, and every request is
for it. With one (``IVM_TENANTS``, :mod:`core.tenants`) it has a site per tenant, and a request
is for the tenant its host name names: the guard (:mod:`dashboard.auth`) resolves it before
anything else and refuses a host no tenant names. Every reader of the dashboard goes through
:func:`current_site`, so a page, callback or download of one tenant reads that tenant's
warehouse and store and nothing else; nothing of one site is kept where another's request
looks (the view cache is the data object's, the download allow-list is applied to the site's
own warehouse).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import current_app, g, has_app_context

from access.store import AccessStore
from core.tenants import Tenant, Tenants
from core.warehouse import Warehouse
from dashboard.data import DashboardData

if TYPE_CHECKING:
    from access.sessions import Sessions
    from access.throttle import LoginThrottle


@dataclass(eq=False)
class Site:
    """One city's monitor on this server."""

    #: The tenant (None: the one city of an installation without tenants).
    tenant: Tenant | None
    warehouse: Warehouse
    data: DashboardData
    store: AccessStore
    _parts: dict = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, warehouse: Warehouse, tenant: Tenant | None = None) -> Site:
        """The site of a warehouse, with the application store that belongs to it."""
        return cls(tenant, warehouse, DashboardData(warehouse),
                   AccessStore.of_warehouse(warehouse.path))

    @property
    def key(self) -> str:
        """The tenant's id ("" for the one city)."""
        return self.tenant.id if self.tenant else ""

    @functools.cached_property
    def sessions(self) -> Sessions:
        """The sessions of this site's store."""
        return self.store.sessions

    @functools.cached_property
    def throttle(self) -> LoginThrottle:
        """The sign-in throttle of this site's store."""
        return self.store.throttle


class Sites:
    """Every site of a server: one, or one per tenant."""

    def __init__(self, sites: list[Site], tenants: Tenants | None = None):
        if not sites or (tenants is None and len(sites) != 1):
            raise ValueError("one site without tenants, one per tenant with them")
        self.members = sites
        self.tenants = tenants

    @classmethod
    def of(cls, warehouse: Warehouse, tenants: Tenants | None) -> Sites:
        """The sites of a server: ``warehouse``'s alone without tenants, else one per tenant
        (``warehouse`` is then not served)."""
        if tenants is None:
            return cls([Site.of(warehouse)])
        return cls([Site.of(Warehouse(t.db), t) for t in tenants], tenants)

    def __iter__(self) -> Iterator[Site]:
        return iter(self.members)

    @property
    def several(self) -> bool:
        """Whether the server hosts tenants (a request's host then decides its site)."""
        return self.tenants is not None

    def for_host(self, host: str | None) -> Site | None:
        """The site a request for ``host`` is for: the one site, or the tenant's that the host
        names (None: no tenant's, the request is refused)."""
        if self.tenants is None:
            return self.members[0]
        tenant = self.tenants.for_host(host)
        return next((s for s in self.members if s.tenant == tenant), None) if tenant else None


def sites_of_app() -> Sites:
    """Every site of the running app."""
    return current_app.config["IVM_SITES"]


def use_site(site: Site) -> None:
    """Make ``site`` the one this request (or rendering context) is for."""
    g.ivm_site = site


def current_site() -> Site:
    """The site of the current request: the one site, or the tenant the guard resolved from
    the host name. A server with tenants never guesses: outside a resolved request it fails."""
    site = g.get("ivm_site") if has_app_context() else None
    if site is not None:
        return site
    sites = sites_of_app()
    if sites.several:
        raise PermissionError("no tenant resolved for this request")
    return sites.members[0]


__all__ = ["Site", "Sites", "current_site", "sites_of_app", "use_site"]
