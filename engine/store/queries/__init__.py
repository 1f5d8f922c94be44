"""Every registered statement, one module per area; importing this package registers them all."""

from engine.store.queries import exporting, meta, nodes  # noqa: F401
