"""Every registered statement, one module per area; importing this package registers them all."""

from engine.store.queries import (  # noqa: F401
    accounts,
    analytics,
    closed_loop,
    directory,
    exporting,
    intake,
    matching,
    meta,
    migrations,
    nodes,
    notifications,
    open311,
    results,
    venues,
)
