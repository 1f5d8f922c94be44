"""Signed, expiring bearer tokens (JWT, HS256) for the OAuth2 password flow. Each carries the
account's token version (``ver``), compared with the account's on every request, so a password
change, a disable or an administrator's revoke ends every token issued before it."""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import jwt

from engine.settings import TOKEN_SECRET_FILE, Settings

ALGORITHM = "HS256"
ENROL_SCOPE = "totp_enrol"


class InvalidToken(Exception):
    """A token that is malformed, forged or expired."""


class TokenClaims(NamedTuple):
    """What a valid token says: the account, the token version it was issued at, and whether it
    may only enrol TOTP (an account that must use TOTP and has not set it up yet)."""

    account_id: str
    version: int
    enrol_only: bool = False


def signing_secret(settings: Settings) -> str:
    """The secret that signs tokens: from the settings, else one generated once and kept
    (mode 600) in the data directory, so tokens survive a restart."""
    if settings.secret_key:
        return settings.secret_key.get_secret_value()
    path = Path(settings.data_dir) / TOKEN_SECRET_FILE
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secret)
    return secret


def issue_token(
    account_id: str,
    secret: str,
    minutes: int,
    now: datetime | None = None,
    *,
    version: int = 0,
    enrol_only: bool = False,
) -> str:
    """A token naming ``account_id`` at token version ``version`` that expires after ``minutes``
    (``enrol_only``: it reaches only the TOTP enrolment routes)."""
    issued = now or datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": account_id,
        "ver": version,
        "iat": issued,
        "exp": issued + timedelta(minutes=minutes),
    }
    if enrol_only:
        claims["scope"] = ENROL_SCOPE
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_token(token: str, secret: str) -> TokenClaims:
    """The account id and token version a valid token names; raises InvalidToken otherwise."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "ver", "exp"]})
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    version = claims["ver"]
    if not isinstance(version, int) or isinstance(version, bool):
        raise InvalidToken("token version is not an integer")
    return TokenClaims(str(claims["sub"]), version, claims.get("scope") == ENROL_SCOPE)
