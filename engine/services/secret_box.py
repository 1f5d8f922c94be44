"""Secrets the graph must hold but nobody reading it may use: sealed with AES-256-GCM under the
deployment's data key before they are stored (等保2.0: authentication data kept confidential at
rest). A TOTP seed in a backup, an export of the database or a stolen disk is then useless without
the key, which lives outside the graph: ``LIANJIAN_DATA_KEY``, else a file made once in the data
directory.

A sealed value is ``enc1:`` and the URL-safe base64 of a 12-byte random nonce and the ciphertext
with its tag; the account it belongs to is the associated data, so a sealed value copied onto
another account does not open. A value without the prefix was stored before sealing existed and is
read as it is (``is_sealed`` tells them apart, so it can be sealed later).
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from engine.settings import DATA_KEY_FILE, Settings

PREFIX = "enc1:"
NONCE_BYTES = 12


class SecretBoxError(Exception):
    """A sealed value that does not open under this key (another deployment's key, or altered)."""


def is_sealed(stored: str) -> bool:
    """Whether ``stored`` was sealed (else it is a value stored before sealing existed)."""
    return stored.startswith(PREFIX)


class SecretBox:
    """Seals and opens short secrets under one 256-bit key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("数据密钥须为 32 字节(base64 编码)")
        self._aead = AESGCM(key)

    def seal(self, plain: str, *, owner: str) -> str:
        """``plain`` sealed for ``owner`` (the id it is stored under)."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plain.encode("utf-8"), owner.encode("utf-8"))
        return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def open(self, stored: str, *, owner: str) -> str:
        """The secret in ``stored`` (a value stored before sealing existed comes back as it is)."""
        if not is_sealed(stored):
            return stored
        try:
            raw = base64.urlsafe_b64decode(stored[len(PREFIX) :])
            plain = self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], owner.encode("utf-8"))
        except (InvalidTag, ValueError, binascii.Error) as exc:
            raise SecretBoxError("存储的密钥无法用本机数据密钥解开(数据密钥已更换或数据被改动)") from exc
        return plain.decode("utf-8")

    @classmethod
    def from_settings(cls, settings: Settings) -> SecretBox:
        """The box of the deployment's data key: ``settings.data_key``, else the key file in the
        data directory, made once (mode 600; a second process starting at the same moment reads
        the first one's file, never a half-written one)."""
        if settings.data_key is not None:
            return cls(_decode_key(settings.data_key.get_secret_value()))
        path = Path(settings.data_dir) / DATA_KEY_FILE
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            draft = path.with_name(f".{DATA_KEY_FILE}.{secrets.token_hex(8)}")
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(base64.urlsafe_b64encode(os.urandom(32)).decode("ascii"))
                f.flush()
                os.fsync(f.fileno())
            try:
                os.link(draft, path)  # fails if another process made it first: theirs stands
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        return cls(_decode_key(path.read_text().strip()))


def _decode_key(text: str) -> bytes:
    """A key written as base64 (URL-safe or standard)."""
    try:
        return base64.urlsafe_b64decode(text.replace("+", "-").replace("/", "_"))
    except (ValueError, binascii.Error) as exc:
        raise ValueError("数据密钥须为 base64 编码的 32 字节") from exc
