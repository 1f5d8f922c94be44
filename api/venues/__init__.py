"""Venues by time slot; goods and funds with amounts (issue 12, point 2)."""
