"""A real SMTP server on localhost for tests that send email (aiosmtpd), and what it received."""
import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler that keeps what it accepts and refuses the addresses in `reject`."""

    def __init__(self, reject=()):
        self.reject = set(reject)
        self.received = []  # (envelope recipients, parsed message)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str):
        found = [m for rcpts, m in self.received if rcpts == [address]]
        assert len(found) == 1, f"{len(found)} messages to {address}"
        return found[0]

    @property
    def recipients(self) -> list[str]:
        return sorted(r for rcpts, _ in self.received for r in rcpts)


@pytest.fixture
def mail_server():
    """Start local SMTP servers: `mailbox, port = mail_server(reject=[...])`."""
    controllers = []

    def start(reject=()):
        mailbox = Mailbox(reject)
        controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
        controller.start()
        controllers.append(controller)
        return mailbox, controller.port

    yield start
    for controller in controllers:
        controller.stop()
