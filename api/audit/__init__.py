"""Audit 审计: the trail of every write, for administrators."""
