"""The risk log's figures over every open entry, counted by the roll-up job (``qms.core.rollups``): the
heat map's cells, the entries per band and the share of high risks in treatment."""

from __future__ import annotations

from qms.core.rollups import rollup

from . import figures, selectors
from .choices import EntryKind
from .models import RiskEntry

HEAT_MAP = "risks.heat_map"


def sees_every_entry() -> bool:
    """Whoever may view the log sees every entry (no per-row rule), so the stored figures are theirs."""
    return getattr(RiskEntry, "restrict_rows", None) is None


@rollup(HEAT_MAP)
def heat_map() -> dict:
    """Per kind: cell counts (inherent and residual) and open entries per band; and the treated share."""
    return {
        "kinds": {
            kind: {
                "cells": selectors.heat_map_counts(user=None, kind=kind),
                "per_band": figures.open_entries_per_band(kind=kind),
            }
            for kind in EntryKind.values
        },
        "treated_pct": figures.high_critical_with_open_treatment_pct(),
    }
