"""The one error hierarchy of ffd12 (DESIGN.md, "Errors").

Errors are split by blame:

* caller or input misuse — :class:`InputError` and its children (also ``ValueError``);
* the device or peer said no — :class:`RegisterError`, :class:`PermissiveError`;
* the link failed — :class:`LinkError`.

Message shape: "could not X: expected Y, got Z". Tokens and passwords never appear in a message.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "ConfigError",
    "Ffd12Error",
    "InputError",
    "JournalError",
    "LinkError",
    "MarkingCodeError",
    "PermissiveError",
    "RegisterError",
    "TlvError",
    "ValidationError",
    "Violation",
    "XmlError",
]


class Ffd12Error(Exception):
    """Root of every error raised by ffd12."""


class InputError(Ffd12Error, ValueError):
    """Bad input handed to ffd12 by its caller (a code, a file, a value)."""


class MarkingCodeError(InputError):
    """A marking code (КМ) that cannot be read.

    ``position`` is the 0-based character position in the cleaned input where the problem was
    found (None when it concerns the whole code); ``ai`` is the GS1 Application Identifier
    involved, if any; ``candidates`` lists template names when a GS-less code is ambiguous.
    """

    def __init__(
        self,
        message: str,
        *,
        position: int | None = None,
        ai: str | None = None,
        candidates: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.position = position
        self.ai = ai
        self.candidates = tuple(candidates)


class TlvError(InputError):
    """TLV bytes or a TLV tree that cannot be decoded or encoded.

    ``path`` names the tag path (e.g. ``1059[3]/1260/1265``), ``offset`` the byte offset.
    """

    def __init__(self, message: str, *, path: str = "", offset: int | None = None) -> None:
        where = []
        if path:
            where.append(f"at {path}")
        if offset is not None:
            where.append(f"offset {offset}")
        full = f"{message} ({', '.join(where)})" if where else message
        super().__init__(full)
        self.reason = message
        self.path = path
        self.offset = offset


class XmlError(InputError):
    """An XML document that cannot be read (malformed, hostile, or against the schema)."""

    def __init__(self, message: str, *, line: int | None = None, path: str = "") -> None:
        where = []
        if path:
            where.append(path)
        if line is not None:
            where.append(f"line {line}")
        full = f"{message} ({', '.join(where)})" if where else message
        super().__init__(full)
        self.reason = message
        self.line = line
        self.path = path


class ConfigError(InputError):
    """A configuration file or value that cannot be used (never echoes a secret)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Violation:
    """One broken FFD rule: where (``items[2].quantity``) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ValidationError(InputError):
    """A receipt that breaks FFD 1.2 rules; carries every violation with its path."""

    def __init__(self, violations: Iterable[Violation]) -> None:
        self.violations = tuple(violations)
        lines = "; ".join(str(v) for v in self.violations) or "no violations given"
        super().__init__(f"receipt is not valid: {lines}")


class RegisterError(Ffd12Error):
    """The register (or its fiscal storage) refused a command: device code and its text."""

    def __init__(self, code: int, text: str, *, command: str = "") -> None:
        prefix = f"{command}: " if command else ""
        super().__init__(f"{prefix}device error 0x{code:02X} ({code}): {text}")
        self.code = code
        self.text = text
        self.command = command


class LinkError(Ffd12Error):
    """The link to a device failed: no answer, bad checksum after retries, connection lost.

    ``frames`` keeps the last raw frames exchanged (hex) for the post-mortem.
    """

    def __init__(self, message: str, *, frames: Sequence[str] = ()) -> None:
        tail = f" [last frames: {' | '.join(frames)}]" if frames else ""
        super().__init__(message + tail)
        self.reason = message
        self.frames = tuple(frames)


class PermissiveError(Ffd12Error):
    """The permissive-mode check (ГИС МТ / Local Module) could not be completed."""


class JournalError(Ffd12Error):
    """The journal or history store could not record an operation durably."""
