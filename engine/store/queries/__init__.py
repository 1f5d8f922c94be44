"""Every registered statement, one module per area; importing this package registers them all."""

from engine.store.queries import accounts, closed_loop, exporting, meta, nodes  # noqa: F401
