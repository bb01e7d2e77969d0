"""The steering cycle: what partners and the mayor's office write about the plan, kept in the
application store (the access store's database) so that it survives every load.

- the partner register (:mod:`access.steering.partners`),
- owners' updates per reporting period and actions' states (:mod:`access.steering.reports`),
- the status history of every refresh (:mod:`access.steering.history`),
- reminders by e-mail before a reporting deadline (:mod:`access.steering.notices`),
- the frozen council packs, byte for byte with their data version (:mod:`access.steering.packs`),
- early-warning alerts closed with a note, and their notices to the owners
  (:mod:`access.steering.alert_notes`),
- and, computed from these and the plan's state (:mod:`access.steering.state`), what needs
  attention, the completeness board and what changed (:mod:`access.steering.attention`).

:class:`access.steering.store.Steering` opens them on one :class:`access.store.AccessStore`;
every write is audited in its audit log. The tables are created with the store's own
(:mod:`access.steering.tables`).
"""

