"""Signed, expiring bearer tokens (JWT, HS256) for the OAuth2 password flow."""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt

from engine.settings import Settings

ALGORITHM = "HS256"
SECRET_FILE = "token-secret"


class InvalidToken(Exception):
    """A token that is malformed, forged or expired."""


def signing_secret(settings: Settings) -> str:
    """The secret that signs tokens: from the settings, else one generated once and kept
    (mode 600) in the data directory, so tokens survive a restart."""
    if settings.secret_key:
        return settings.secret_key.get_secret_value()
    path = Path(settings.data_dir) / SECRET_FILE
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secret)
    return secret


def issue_token(account_id: str, secret: str, minutes: int, now: datetime | None = None) -> str:
    """A token naming ``account_id`` that expires after ``minutes``."""
    issued = now or datetime.now(UTC)
    claims = {"sub": account_id, "iat": issued, "exp": issued + timedelta(minutes=minutes)}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_token(token: str, secret: str) -> str:
    """The account id a valid token names; raises InvalidToken otherwise."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "exp"]})
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    return str(claims["sub"])
