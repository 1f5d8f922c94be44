"""Security headers on every response of the API and the console (issue 13): a Content-Security-
Policy that lets the console run only its own scripts, no framing, no referrer, no MIME sniffing.

The console's pages load their scripts as files (no inline script); its scripts set a few inline
``style`` attributes, so styles allow 'unsafe-inline' (a style cannot run code). The API's
documentation pages (/docs, /redoc) load Swagger UI and ReDoc from their CDN with an inline start-up
script, so they get a relaxed policy of their own."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
CDN = "https://cdn.jsdelivr.net"
DOCS_CSP = (
    f"default-src 'self'; script-src 'self' 'unsafe-inline' {CDN}; style-src 'self' 'unsafe-inline' {CDN} "
    "https://fonts.googleapis.com; font-src 'self' https://fonts.gstatic.com; img-src 'self' data: https:; "
    "worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")
HEADERS = (
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
)


def policy_for(path: str) -> str:
    """The Content-Security-Policy of a response to ``path``."""
    return DOCS_CSP if path.startswith(DOCS_PATHS) else CSP


class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP response (a plain ASGI middleware: streamed
    responses pass through untouched); a header a route set itself is kept."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = ((b"content-security-policy", policy_for(scope.get("path", "")).encode()), *HEADERS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in extra if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
