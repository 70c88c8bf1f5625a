"""The heat map: where entries sit on the matrix before and after treatment, the top entries, and the
reviews that are overdue."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.views.generic import TemplateView

from qms.core.rollups import read as read_rollup
from qms.core.views import RegisterViewMixin

from .. import figures, rollups, selectors, services
from ..choices import EntryKind
from ..models import RiskEntry
from .entries import band_colours

# Overdue reviews listed under the heat map; the list page has them all.
OVERDUE_SHOWN = 10
WHICH = (("inherent", "Inherent (before treatment)"), ("residual", "Residual (after treatment)"))


def _with_links(grid: dict, *, kind: str, which: str) -> dict:
    """Each cell gets the link to the list filtered to it."""
    list_url = reverse("risks:entry_list")
    for row in grid["rows"]:
        for cell in row["cells"]:
            query = {"kind": kind, "which": which, "likelihood": row["level"], "impact": cell["impact"]}
            cell["url"] = f"{list_url}?{urlencode(query)}"
    return grid


class HeatMapView(RegisterViewMixin, TemplateView):
    model = RiskEntry
    template_name = "risks/heat_map.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        kind = self.request.GET.get("kind")
        kind = kind if kind in EntryKind.values else EntryKind.RISK
        matrix = services.active_matrix()
        if rollups.sees_every_entry():
            # The whole log's figures as the roll-up job counted them (their age is shown).
            counted = read_rollup(rollups.HEAT_MAP)
            cells = counted.data["kinds"][kind]["cells"]
            per_band = counted.data["kinds"][kind]["per_band"]
            treated_pct = counted.data["treated_pct"]
        else:
            counted = None
            cells = selectors.heat_map_counts(user=user, kind=kind)  # both grids in one query
            per_band = figures.open_entries_per_band(user=user, kind=kind)
            treated_pct = figures.high_critical_with_open_treatment_pct(user=user)
        maps = []
        if matrix is not None:
            grids = selectors.heat_maps_from_counts(matrix, cells, kind=kind)
            for which, label in WHICH:
                grid = grids[which]
                maps.append({"which": which, "label": label, **_with_links(grid, kind=kind, which=which)})
        context.update(
            title="Risk heat map",
            kind=kind,
            kinds=EntryKind.choices,
            matrix=matrix,
            band_colours=band_colours(matrix),
            impact_levels=matrix.impact_levels if matrix else [],
            maps=maps,
            top_risks=list(selectors.top_entries(user=user, kind=EntryKind.RISK)),
            top_opportunities=list(selectors.top_entries(user=user, kind=EntryKind.OPPORTUNITY)),
            per_band=per_band,
            treated_pct=treated_pct,
            counted=counted,
        )
        # The most overdue reviews from the index on open entries' review dates; the total counted (from the
        # same index) only when they fill the table. A window count over the page would read every overdue row.
        overdue_reviews = selectors.overdue_reviews(user=user)
        overdue = list(overdue_reviews[:OVERDUE_SHOWN])
        overdue_count = overdue_reviews.count() if len(overdue) == OVERDUE_SHOWN else len(overdue)
        context.update(overdue=overdue, overdue_count=overdue_count)
        return context
