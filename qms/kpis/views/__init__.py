"""KPI, objective and dashboard pages."""
