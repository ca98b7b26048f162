"""A real SMTP server (aiosmtpd) that the app mails to."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message

import pytest
from flask import Flask


class Inbox:
    """What the SMTP server received, as parsed messages."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.envelopes.append(envelope)
        return "250 OK"

    def messages(self) -> list[Message]:
        return [message_from_bytes(e.content) for e in self.envelopes]

    def text_to(self, address: str) -> list[str]:
        """The plain-text part of every message to `address`."""
        found = []
        for envelope in self.envelopes:
            if envelope.rcpt_tos != [address]:
                continue
            message = message_from_bytes(envelope.content)
            for part in message.walk():
                if part.get_content_type() == "text/plain":
                    found.append(message["Subject"] + "\n" + part.get_payload(decode=True)
                                 .decode())
        return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def inbox(app: Flask) -> Iterator[Inbox]:
    """The app mails through a real SMTP server on localhost for the test."""
    from aiosmtpd.controller import Controller

    received = Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{controller.port}"
    try:
        yield received
    finally:
        app.config["SMTP_URL"] = None
        controller.stop()
