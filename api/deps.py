"""Dependencies shared by the endpoints: the store opened once at start-up."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from engine.store.base import GraphStore


def get_store(request: Request) -> GraphStore:
    """The process's graph store, opened by the app's lifespan."""
    store: GraphStore = request.app.state.store
    return store


StoreDep = Annotated[GraphStore, Depends(get_store)]
