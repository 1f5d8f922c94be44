"""Public pages and API without sign-in (述评公开)."""
