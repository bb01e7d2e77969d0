"""The audience switch: which data the current viewer reads.

The internal roles read :class:`dashboard.data.DashboardData` whole. The public
(``ivm serve --public``) and the ``dienst`` role read :class:`PublicData`: the figures of the
public council workbook, nothing else, with the same suppression
(:func:`dashboard.export.figures.council_figures` with ``audience="public"``): one decision over
every figure at once, so a value hidden on one page cannot be derived from another page or from
the workbook. :class:`PublicData` stands in for :class:`~dashboard.data.DashboardData` and
refuses every reader of internal figures (values per month, series, CompStat, loads,
quarantined rows): a page that forgets the audience fails instead of leaking.
"""

from __future__ import annotations

from typing import Any

from dashboard.data import DashboardData
from dashboard.export.figures import HIDDEN_REASON, Figures, council_figures, public_records
from dashboard.export.suppress import MARK
from dashboard.sites import current_site
from dashboard.viewer import current_viewer

_PASS = frozenset({"warehouse", "available", "plan", "as_of", "catalog", "indicator",
                   "coverage", "areas", "levels", "geojson", "counts", "municipalities",
                   "hierarchy", "top_level", "neighbourhood_level"})


class PublicData:
    """The dashboard's data for the public audience (same interface, fewer readers)."""

    audience = "public"

    def __init__(self, data: DashboardData):
        self._data = data

    def __getattr__(self, name: str) -> Any:
        if name in _PASS:
            return getattr(self._data, name)
        raise PermissionError(f"'{name}' gives internal figures; the public audience reads "
                              "figures() and status() only")

    def figures(self) -> Figures | None:
        """The public workbook's figures, kept per version (None without stored results)."""
        if not self._data.available():
            return None
        return self._data.cached_query(("public_figures",),
                                       lambda c: council_figures(c, audience="public"))

    def status(self) -> list[dict[str, Any]]:
        """The status records with every suppressed figure taken out (``suppressed`` lists
        which: baseline, target, current, reason)."""
        f = self.figures()
        if f is None:
            return []
        return self._data.kept(("public_status",), lambda: public_records(f))

    def safety_index(self, city: str | None, year: int | None = None) -> dict[str, Any] | None:
        """The safety index, shown with the public workbook's thresholds: the page hides a
        wijk whose counts or survey sample are too small (``index_section(public=True)``)."""
        return self._data.safety_index(city, year)

    def with_connection(self, fn: Any) -> Any:
        """Refused: the public audience has no direct access to the warehouse."""
        raise PermissionError("the public audience has no connection to the warehouse")


def data_of_app() -> DashboardData | PublicData:
    """The data of the running app (one per process), as the current viewer may read it: the
    public audience (``dienst`` and the public) gets :class:`PublicData`."""
    data: DashboardData = current_site().data
    if current_viewer().audience == "public":
        return PublicData(data)
    return data


def is_public(data: Any) -> bool:
    """Whether ``data`` is the public audience's view."""
    return getattr(data, "audience", "internal") == "public"


__all__ = ["HIDDEN_REASON", "MARK", "PublicData", "data_of_app", "is_public"]
