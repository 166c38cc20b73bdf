"""Driving a sans-I/O host link (v1 or v2) with a fuzzed stream of received bytes and silences."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ffd12.errors import LinkError


class HostSide(Protocol):
    answer: bytes | None

    @property
    def done(self) -> bool: ...
    def bytes_to_send(self) -> bytes: ...
    def receive_data(self, data: bytes) -> None: ...
    def timed_out(self) -> None: ...


def feed(link: HostSide, events: Sequence[bytes | None], answer_prefix: bytes) -> bool:
    """Feed bytes (None = a silence); True once the link finished or gave up with LinkError.

    A finished link must hold an answer to the command it sent (``answer_prefix``), never a
    foreign one.
    """
    for event in events:
        try:
            if event is None:
                link.timed_out()
            else:
                link.receive_data(event)
        except LinkError:
            return True
        link.bytes_to_send()
        if link.done:
            assert link.answer is not None and link.answer.startswith(answer_prefix)
            return True
    return False
