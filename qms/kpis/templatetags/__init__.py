"""Template tags of the KPI pages and dashboards."""
