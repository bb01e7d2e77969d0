"""Who may see what: users, roles and the audit log of the dashboard and the command line.

Users and the audit log live in the warehouse's access store (see :mod:`access.store`), roles and
what each may see in :mod:`access.roles`, password hashing in :mod:`access.passwords`.
"""
