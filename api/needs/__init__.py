"""Needs 需求清单: post, browse, edit, cancel, and the expiry sweep."""
