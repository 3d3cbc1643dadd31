"""Hardening, round two (issue 24): ``partnerkit notify`` with hostile roster names and addresses, written
to the outbox and sent to a real SMTP server (aiosmtpd on 127.0.0.1). Every written message names
exactly one recipient, the rep's; one unusable address is skipped, counted and reported, the rest sent."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.cli.conftest import partnerkit
from tests.cli.test_notify import DAY, ENV, EXPECTED, ROSTER, Inbox, make_project

pytestmark = pytest.mark.integration

HOSTILE_NAMES = [
    "Rita Long-Name of the Accounts Team at Acme Consulting International <evil1@evil.example>",
    "Rita Long-Name of the Accounts Team at Acme Consulting International, evil2@evil.example",
    "Rita <img src=x onerror=alert(1)> Long-Name of the Accounts Team at Acme Consulting International",
    '"Rita" \\"<evil3@evil.example>\\", evil4@evil.example',
    "渡辺 花子 " * 20 + "<evil5@evil.example>",
    "Rita\rBcc: evil6@evil.example",
]


class Recorder(Inbox):
    """Also keeps every envelope recipient (RCPT TO) the server was asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.envelope: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.envelope.append(address)
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


@pytest.fixture
def recorder(tmp_path: Path):
    import socket

    handler = Recorder()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        handler.port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    yield handler
    controller.stop()


def with_ann(project: Path, name: str = "Ann Berg", address: str = "ann@acme.example") -> None:
    line = next(line for line in ROSTER.splitlines() if ",ann," in line)
    fields = line.split(",")
    fields[3], fields[4] = (f'"{text.replace(chr(34), chr(34) * 2)}"' for text in (name, address))
    (project / "private/roster.csv").write_bytes(ROSTER.replace(line, ",".join(fields)).encode())


def to_addresses(message: email.message.EmailMessage) -> list[str]:
    return [address.addr_spec for address in message["To"].addresses]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_name_never_adds_a_recipient(tmp_path: Path, recorder: Recorder, name: str) -> None:
    project = make_project(tmp_path, recorder.port)
    with_ann(project, name)
    written = partnerkit("notify", "--date", DAY, cwd=project, env=ENV)
    assert written.returncode == 0, written.stderr
    for path in sorted((project / "private/outbox" / DAY).glob("*--ann*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert to_addresses(message) == ["ann@acme.example"]
        assert message["Bcc"] is None and message["Cc"] is None
        assert "evil" not in message["To"].addresses[0].addr_spec
    sent = partnerkit("notify", "--send", "--date", DAY, cwd=project, env=ENV)
    assert sent.returncode == 0, sent.stderr
    assert sorted(recorder.envelope) == sorted(address for address, _ in EXPECTED)
    ann = [message for message in recorder.messages if "ann@acme.example" in message["To"]]
    assert len(ann) == 2 and all(to_addresses(message) == ["ann@acme.example"] for message in ann)
    assert not any("evil" in address for address in recorder.envelope)


@pytest.mark.parametrize("address, said", [
    ("ann@acme.example\x00", "Skipped Ann Berg: no usable e-mail address on the roster"),
    ("ánn@acme.example", "Skipped Ann Berg: no usable e-mail address on the roster"),
    ("ann@acme.example, evil@evil.example", "Skipped Ann Berg: no usable e-mail address on the roster"),
])
def test_one_unusable_address_is_skipped_and_the_rest_are_sent(tmp_path: Path, recorder: Recorder, address: str,
                                                               said: str) -> None:
    project = make_project(tmp_path, recorder.port)
    with_ann(project, address=address)
    sent = partnerkit("notify", "--send", "--date", DAY, cwd=project, env=ENV)
    assert sent.returncode == 0, sent.stderr
    assert said in sent.stderr and "Traceback" not in sent.stderr
    others = sorted(item for item in EXPECTED if item[0] != "ann@acme.example")
    assert recorder.received() == others
    assert sent.stdout.startswith(f"Sent {len(others)} of {len(others)} messages")

