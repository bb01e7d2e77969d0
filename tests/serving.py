"""State shared by every served test dashboard: imported once (``tests.serving``), whether the
test helpers are reached through pytest's ``conftest`` or through ``tests.conftest``."""

from pathlib import Path

#: The test administrator of each served dashboard: url -> (name, password).
CREDENTIALS: dict[str, tuple[str, str]] = {}
#: Session cookies of the test administrator: url -> cookie.
COOKIES: dict[str, str] = {}
#: The file holding the standard error of each served dashboard: url -> file.
SERVER_ERRORS: dict[str, Path] = {}
#: Every such file of the session (a port, and so a URL, may serve again later).
SERVER_ERROR_FILES: list[Path] = []
