"""State shared by every served test dashboard: imported once (``tests.serving``), whether the
test helpers are reached through pytest's ``conftest`` or through ``tests.conftest``."""

#: The test administrator of each served dashboard: url -> (name, password).
CREDENTIALS: dict[str, tuple[str, str]] = {}
#: Session cookies of the test administrator: url -> cookie.
COOKIES: dict[str, str] = {}
