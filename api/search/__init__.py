"""Text search over needs, offerings, units, orgs and members (issue 12, point 7)."""
