"""A real SMTP server on this machine (aiosmtpd) that keeps what it is sent: the tests read the e-mails the
platform sends (notifications, sign-up confirmations, password resets) from it."""

import asyncio
import re
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.harness import free_port


class Sink:
    """An SMTP handler that keeps every message it accepts and refuses the addresses in ``refuse``."""

    def __init__(self):
        self.received: list[tuple[list[str], EmailMessage]] = []
        self.refuse: set[str] = set()
        self.delay = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        self.received.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for rcpt_tos, message in self.received if address in rcpt_tos]

    def link_to(self, address: str, path: str) -> str:
        """The path and query of the newest link to ``path`` mailed to ``address`` (what a person clicks)."""
        for message in reversed(self.to(address)):
            found = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"[^\s]*)", message.get_content())
            if found:
                return found.group(1)
        raise AssertionError(f"no link to {path} mailed to {address}; mailed: {len(self.to(address))}")


def start_mailbox() -> Controller:
    """A started SMTP server on a free port of 127.0.0.1 whose ``handler`` is a ``Sink``; stop() it after."""
    controller = Controller(Sink(), hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller


def mail_on(monkeypatch, controller: Controller, base_url: str):
    """This process's settings with e-mail on, through ``controller``'s server, links to ``base_url``."""
    from services.core.settings import get_settings

    settings = get_settings()
    monkeypatch.setattr(settings, "smtp_host", "127.0.0.1")
    monkeypatch.setattr(settings, "smtp_port", controller.port)
    monkeypatch.setattr(settings, "mail_from", "绿色通道服务平台 <noreply@lvtong.example.cn>")
    monkeypatch.setattr(settings, "public_base_url", base_url)
    return settings
