"""``{% evidence_clauses object %}``: the clauses a record evidences, on its page."""

from __future__ import annotations

from django import template

from ..registry import clauses_for
from ..selectors import clause_tags_for

register = template.Library()


@register.inclusion_tag("evidence/_clauses.html")
def evidence_clauses(obj):
    """ISO 9001 clauses from the clause map, and any ISO 14001/45001/27001 tags of this record."""
    if obj is None or not hasattr(obj, "_meta") or obj.pk is None:
        return {"clauses": [], "tags": []}
    return {"clauses": clauses_for(obj), "tags": list(clause_tags_for(obj))}
