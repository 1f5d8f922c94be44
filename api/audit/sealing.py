"""Sealing the audit chain inside the API process: a background sealer for the app's lifetime,
woken after each successful write request so entries are sealed within moments (requests never
wait for it), and every ``audit_seal_seconds`` anyway."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engine.services.audit_chain import BackgroundSealer
from engine.settings import Settings
from engine.store.base import GraphStore

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@contextmanager
def background_sealer(app: FastAPI, store: GraphStore, settings: Settings) -> Iterator[BackgroundSealer]:
    """Run a sealer while the block lasts (the app's lifespan); it seals what is left when stopped."""
    sealer = BackgroundSealer(store, settings.audit_seal_seconds, settings.audit_seal_batch).start()
    app.state.audit_sealer = sealer
    try:
        yield sealer
    finally:
        sealer.stop()


class SealerWakeup:
    """ASGI middleware: wake the sealer after every request that may have written (not GET, HEAD or
    OPTIONS) and answered below 400. Plain ASGI, so streamed answers pass through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in READ_METHODS:
            await self.app(scope, receive, send)
            return
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        await self.app(scope, receive, send_noting_status)
        sealer = getattr(scope["app"].state, "audit_sealer", None) if "app" in scope else None
        if status < 400 and sealer is not None:
            sealer.wake()


def install_sealer_wakeup(app: FastAPI) -> None:
    """Add the middleware that wakes the sealer after successful writes."""
    app.add_middleware(SealerWakeup)
