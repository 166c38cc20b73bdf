"""X-API-KEY tokens per participant: the till vendor's ``xapikey`` syntax and tables per INN.

ГИС МТ issues one permissive-mode token per participant (INN). A till that sells for several legal
entities keeps one token per department or per INN (seed 002, ``xapikey``)::

    [-1:<token>]                      one legal entity: every department
    [<dept1>.<dept2>:<token>]         one token for departments 1 and 2
    [<dept1>:1],[<dept2>:<token>]     a token for department 2 only ("1" = no token)

A token is wrapped in :class:`Token`, whose ``str``/``repr`` never show it; only
:meth:`Token.reveal` gives the text, for the HTTP header.

>>> table = parse_xapikey("[1.2:aaa],[3:bbb]")
>>> table.for_item(department=2).reveal()
'aaa'
>>> "bbb" in str(table.for_item(department=3))
False
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from ffd12.errors import ConfigError

__all__ = ["ALL_DEPARTMENTS", "Token", "TokenRejected", "TokenTable", "parse_xapikey"]

ALL_DEPARTMENTS: Final = -1
NO_TOKEN: Final = "1"  # the vendor's placeholder: this department has no token

_ENTRY = re.compile(r"\[\s*(?P<depts>-1|\d+(?:\.\d+)*)\s*:(?P<token>[^\[\]]*)\]")


class TokenRejected(ConfigError):
    """ГИС МТ answered 401: the X-API-KEY of this participant is wrong or expired (vendor 761).

    ``attempts`` keeps the HTTP exchanges that led here (hosts, outcomes, durations; no token).
    """

    def __init__(self, message: str, *, attempts: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.attempts = tuple(attempts)


@dataclass(frozen=True, slots=True)
class Token:
    """A secret X-API-KEY. Printing it shows only a short fingerprint, never the value."""

    _value: str = field(repr=False)

    def __post_init__(self) -> None:
        if not self._value or any(ch.isspace() or ord(ch) < 32 for ch in self._value):
            raise ConfigError("could not use the X-API-KEY token: expected a non-empty token without spaces")

    def reveal(self) -> str:
        """The token itself — only for the X-API-KEY header."""
        return self._value

    @property
    def fingerprint(self) -> str:
        """A short, non-reversible name for logs: 6 hex digits of a hash of the token."""
        return "sha256:" + hashlib.sha256(self._value.encode("utf-8")).hexdigest()[:6]

    def __repr__(self) -> str:
        return f"Token({self.fingerprint})"

    __str__ = __repr__


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenTable:
    """Tokens by department (vendor syntax) and by INN (config tables); picks the item's token."""

    by_department: Mapping[int, Token] = field(default_factory=dict)
    by_inn: Mapping[str, Token] = field(default_factory=dict)

    def for_item(self, *, department: int | None = None, inn: str | None = None) -> Token:
        """The token of the item's INN, else of its department, else the ``-1`` one."""
        if inn is not None and inn in self.by_inn:
            return self.by_inn[inn]
        if department is not None and department in self.by_department:
            return self.by_department[department]
        if ALL_DEPARTMENTS in self.by_department:
            return self.by_department[ALL_DEPARTMENTS]
        tokens = set(self.by_department.values()) | set(self.by_inn.values())
        if len(tokens) == 1 and inn is None and department is None:
            return next(iter(tokens))
        who = f"INN {inn}" if inn is not None else f"department {department}"
        raise ConfigError(
            f"Честный знак: токен для проверки не найден ({who}); товар не будет добавлен — "
            "add the token to [permissive] xapikey or [permissive.tokens]"
        )

    def any_token(self) -> Token:
        """Some token, for cdn/info and health/check (any participant's token will do)."""
        for token in (*self.by_department.values(), *self.by_inn.values()):
            return token
        raise ConfigError("could not query ГИС МТ: expected at least one X-API-KEY token in the config")

    def __bool__(self) -> bool:
        return bool(self.by_department) or bool(self.by_inn)


def parse_xapikey(text: str, *, by_inn: Mapping[str, str] | None = None) -> TokenTable:
    """Read the vendor's ``xapikey`` value (and an optional INN → token table).

    Raises :class:`ConfigError` — without the token text — for anything it cannot read.
    """
    departments: dict[int, Token] = {}
    rest = text.strip()
    pos = 0
    entries = 0
    single_dept_entry = False
    while pos < len(rest):
        m = _ENTRY.match(rest, pos)
        if m is None:
            raise ConfigError(f"could not read xapikey: expected [<dept>.<dept>:<token>] at character {pos}")
        entries += 1
        depts = [int(d) for d in m.group("depts").split(".")]
        value = m.group("token").strip()
        single_dept_entry = len(depts) == 1 and depts[0] != ALL_DEPARTMENTS
        for dept in depts:
            if dept in departments:
                raise ConfigError(f"could not read xapikey: department {dept} is given twice")
            if value != NO_TOKEN:
                departments[dept] = Token(value)
        pos = m.end()
        while pos < len(rest) and rest[pos] in ", \t":
            pos += 1
    if entries == 1 and single_dept_entry:
        # The vendor forbids «[1:<токен>]»: a single legal entity is written [-1:<token>].
        raise ConfigError("could not read xapikey: a single token is written [-1:<token>]")
    inn_tokens: dict[str, Token] = {}
    for inn, value in (by_inn or {}).items():
        if not re.fullmatch(r"\d{10}|\d{12}", inn):
            raise ConfigError(
                f"could not read [permissive.tokens]: expected an INN of 10 or 12 digits, got {inn!r}"
            )
        inn_tokens[inn] = Token(value)
    return TokenTable(by_department=departments, by_inn=inn_tokens)
