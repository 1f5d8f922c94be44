"""Errors of the store, independent of the backend that raised them."""

from __future__ import annotations


class StoreError(Exception):
    """A store operation failed."""


class StoreUnavailable(StoreError):
    """The graph store cannot be reached or started."""


class ConstraintViolation(StoreError):
    """A write broke a unique constraint (a duplicate id); nothing was written."""


class StatementError(StoreError):
    """The database rejected a statement (a bug, or bad data that slipped past validation)."""
