"""A real SMTP server on loopback (aiosmtpd) whose mailbox the tests read: the `smtp`
fixture points Django's SMTP backend at it; `Sink` runs one for child processes."""

from __future__ import annotations

import email
import email.message
import socket

import pytest
from django.test import override_settings


class Mailbox:
    """An aiosmtpd handler that keeps every message it is sent, after refusing the next
    `refuse` messages with a temporary error (a mail server that is struggling)."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []
        self.refuse = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refuse > 0:
            self.refuse -= 1
            return "451 Requested action aborted: try again later"
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


class Sink:
    """An SMTP server on a free loopback port, started and stopped with `with`."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.box = Mailbox()
        self.controller = Controller(self.box, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> Sink:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def parts(message: email.message.Message) -> dict[str, str]:
    """{content type: decoded text} of a message's text parts."""
    return {
        p.get_content_type(): p.get_payload(decode=True).decode()
        for p in message.walk()
        if p.get_content_maintype() == "text"
    }


@pytest.fixture(name="smtp")
def smtp_fixture():
    """The `smtp` fixture: Django's mail goes to a loopback sink; its mailbox."""
    with (
        Sink() as sink,
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=sink.port,
            DEFAULT_FROM_EMAIL="care@north.example",
        ),
    ):
        yield sink.box
