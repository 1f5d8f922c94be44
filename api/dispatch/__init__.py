"""Dispatch runs 派单 and their proposals: start a run, list and decide proposals."""
