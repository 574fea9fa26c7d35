"""Sending e-mail: a console backend (default: prints the mail), memory (tests), and SMTP.

Mail is sent after the unit of work has committed, never from inside a service. The mailer of an
app is made on first use and kept on ``app.state.mailer`` (one per app, no module state).
"""

from __future__ import annotations

import logging
import smtplib
import sys
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol

import anyio

from app.settings import Settings

log = logging.getLogger("godialog.mail")


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


class Mailer(Protocol):
    async def send(self, mail: Mail) -> None: ...


class ConsoleMailer:
    """Prints each mail to stdout: enough for development and `make run`."""

    def __init__(self, sender: str) -> None:
        self.sender = sender

    async def send(self, mail: Mail) -> None:
        text = f"--- mail from {self.sender} to {mail.to}\nSubject: {mail.subject}\n\n{mail.body}\n---\n"
        sys.stdout.write(text)
        sys.stdout.flush()


class MemoryMailer:
    """Keeps every mail in ``outbox`` (tests read links from it)."""

    def __init__(self) -> None:
        self.outbox: list[Mail] = []

    async def send(self, mail: Mail) -> None:
        self.outbox.append(mail)


class SmtpMailer:
    def __init__(self, sender: str, host: str, port: int) -> None:
        self.sender, self.host, self.port = sender, host, port

    def _send_sync(self, mail: Mail) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, mail.to, mail.subject
        message.set_content(mail.body)
        with smtplib.SMTP(self.host, self.port, timeout=20) as smtp:
            smtp.send_message(message)

    async def send(self, mail: Mail) -> None:
        try:
            await anyio.to_thread.run_sync(self._send_sync, mail)
        except (OSError, smtplib.SMTPException):
            # The user must not see a crash because the mail server is down; the log says why.
            log.exception("could not send mail to %s", mail.to)


def make_mailer(settings: Settings) -> Mailer:
    if settings.mail_backend == "memory":
        return MemoryMailer()
    if settings.mail_backend == "smtp":
        return SmtpMailer(settings.mail_from, settings.smtp_host, settings.smtp_port)
    return ConsoleMailer(settings.mail_from)


def mailer_of(app: Any) -> Mailer:
    """The app's mailer (made from its settings on first use)."""
    state = app.state
    if getattr(state, "mailer", None) is None:
        state.mailer = make_mailer(state.settings)
    return state.mailer
