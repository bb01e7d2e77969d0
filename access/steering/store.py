"""The steering cycle's records in one application store: the partner register, owners'
updates and actions' states, the status history, the reminders sent, the frozen council
packs and the alerts closed with a note, each write audited in the store's audit log."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from access.steering.alert_notes import AlertNotes
from access.steering.history import StatusHistory
from access.steering.notices import Notices
from access.steering.packs import CouncilPacks
from access.steering.partners import PartnerRegister
from access.steering.reports import Reports
from access.store import AccessStore, now
from core.tenants import site_url


class Steering:
    """The steering cycle's records in one application store."""

    def __init__(self, store: AccessStore):
        self.store = store
        self.engine = store.engine

    @classmethod
    def of_warehouse(cls, warehouse_path: str | Path) -> Steering:
        """The steering records that belong to a warehouse file."""
        return cls(AccessStore.of_warehouse(warehouse_path))

    @cached_property
    def partners(self) -> PartnerRegister:
        """The partner register."""
        return PartnerRegister(self.engine, self.store.audit, now)

    @cached_property
    def reports(self) -> Reports:
        """Owners' updates and actions' states."""
        return Reports(self.engine, self.store.audit, now)

    @cached_property
    def notices(self) -> Notices:
        """Reminders by e-mail."""
        return Notices(self.engine, self.store.audit, now, self.reports, self.partners,
                       site_url(self.store.tenant))

    @cached_property
    def packs(self) -> CouncilPacks:
        """The frozen council packs."""
        return CouncilPacks(self.engine, self.store.audit, now)

    @cached_property
    def alerts(self) -> AlertNotes:
        """Alerts closed with a note, and the notices to their owners."""
        return AlertNotes(self.engine, self.store.audit, now, self.partners,
                          site_url(self.store.tenant))

    @cached_property
    def history(self) -> StatusHistory:
        """The status history."""
        return StatusHistory(self.engine, now)


__all__ = ["Steering"]
