"""The channel contract (docs/notifications.md) and the SMTP email channel.

A channel sends one message for one notification, under an idempotency key (the notification id
plus the channel's name) that it must pass on where the medium allows it (the email's
Message-ID), so a resend after a crash is recognisable downstream. It raises ``DeliveryError``
for a failure worth retrying and ``Undeliverable`` for one that is not.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol


class DeliveryError(Exception):
    """A delivery failed for now; the worker retries it with back-off."""


class Undeliverable(Exception):
    """A delivery can never succeed (no address for this channel); the worker does not retry."""


@dataclass(frozen=True, slots=True)
class Message:
    """What a channel sends: the recipient's address on it, the text, and the idempotency key."""

    key: str
    to: str | None
    name: str
    title: str
    body: str


class Channel(Protocol):
    """A way to reach people (email, SMS, WeChat); see docs/notifications.md for the contract."""

    name: str

    def address(self, recipient: dict[str, str | None]) -> str | None:
        """The recipient's address on this channel (e.g. its email), None when it has none."""
        ...

    def send(self, message: Message) -> None:
        """Hand ``message`` to the medium; return only once the medium accepted it."""
        ...


def message_id(key: str, domain: str = "lianjian") -> str:
    """The RFC 5322 Message-ID carrying an idempotency key."""
    return f"<{key}@{domain}>"


class SmtpChannel:
    """Email through an SMTP server (smtplib), one connection per message, Message-ID = key."""

    name = "email"

    def __init__(self, host: str, port: int, sender: str, timeout: float = 30.0) -> None:
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout

    def address(self, recipient: dict[str, str | None]) -> str | None:
        """The account's email."""
        return recipient.get("email")

    def send(self, message: Message) -> None:
        """Send one mail; SMTP or network errors become DeliveryError (retried)."""
        if not message.to:
            raise Undeliverable("收件人没有电子邮箱")
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.to
        mail["Subject"] = message.title
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = message_id(message.key)
        mail.set_content(message.body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                smtp.send_message(mail)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
