"""Typed reading of one XML element's attributes, with legacy names and warnings (1C pitfalls, spec §8).

* empty numeric attributes (``VATAmount=""``) read as absent;
* booleans in any case (``True``, ``true``, ``1``);
* money as rubles with at most two decimals (more are rounded, with a warning);
* old attribute names are renamed, each with a warning; attributes nobody asked for are reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from lxml import etree

from ffd12.errors import XmlError
from ffd12.xml.safe import XmlWarning, line_of

__all__ = ["Attrs"]

_CENT = Decimal("0.01")
_FAST_DIGITS = 15  # plain digit strings up to this length are read with int(), without Decimal
_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})


class Attrs:
    """The attributes of ``element`` (at ``path``) after applying ``renames``."""

    def __init__(
        self,
        element: etree._Element,
        path: str,
        warnings: list[XmlWarning],
        renames: Mapping[str, str] | None = None,
    ) -> None:
        self.element = element
        self.path = path
        self.line: int | None = line_of(element)
        self.warnings = warnings
        self.values: dict[str, str] = {}
        self.extra: dict[str, list[str]] = {}
        self.used: set[str] = set()
        if not renames:
            self.values = {str(k): str(v) for k, v in element.attrib.items()}
            return
        for key, value in element.attrib.items():
            name = str(key)
            if renames and name in renames:
                new = renames[name]
                self.warn(f"old attribute {name} read as {new}", name)
                if new in self.values or new in self.extra:
                    self.extra.setdefault(new, []).append(str(value))
                    continue
                name = new
            self.values[name] = str(value)

    def warn(self, message: str, attribute: str = "") -> None:
        path = f"{self.path}.{attribute}" if attribute else self.path
        self.warnings.append(XmlWarning(path=path, line=self.line, message=message))

    def fail(self, message: str, attribute: str = "") -> XmlError:
        path = f"{self.path}.{attribute}" if attribute else self.path
        return XmlError(message, line=self.line, path=path)

    def text(self, name: str) -> str | None:
        """The attribute value, or None when absent or empty."""
        self.used.add(name)
        value = self.values.get(name)
        return value if value else None

    def raw(self, name: str) -> str | None:
        """The attribute value as written (an empty string stays empty)."""
        self.used.add(name)
        return self.values.get(name)

    def required(self, name: str) -> str:
        value = self.text(name)
        if value is None:
            raise self.fail(f"could not read {self.element.tag}: attribute {name} is required", name)
        return value

    def _number(self, name: str, value: str | None) -> Decimal | None:
        if value is None:
            if self.values.get(name) == "":
                self.warn("empty attribute read as absent", name)
            return None
        try:
            number = Decimal(value.strip().replace(",", "."))
        except InvalidOperation:
            raise self.fail(f"could not read {name}: expected a number, got {value[:40]!r}", name) from None
        if not number.is_finite() or abs(number.adjusted()) > 20:
            raise self.fail(f"could not read {name}: number out of range: {value[:40]!r}", name)
        return number

    def decimal(self, name: str) -> Decimal | None:
        return self._number(name, self.text(name))

    def integer(self, name: str) -> int | None:
        value = self.text(name)
        if value is not None and len(value) <= _FAST_DIGITS and value.isascii() and value.isdigit():
            return int(value)
        number = self._number(name, value)
        if number is None:
            return None
        if number != number.to_integral_value():
            raise self.fail(f"could not read {name}: expected a whole number, got {number}", name)
        return int(number)

    def money(self, name: str) -> int | None:
        """Rubles → kopecks; also adds any legacy attributes that were merged into ``name``."""
        total = self._kopecks(name, self.text(name))
        for other in self.extra.get(name, ()):
            more = self._kopecks(name, other or None)
            if more is not None:
                total = more if total is None else total + more
        return total

    def _kopecks(self, name: str, value: str | None) -> int | None:
        if value is not None and len(value) <= _FAST_DIGITS and value.isascii() and value.isdigit():
            return int(value) * 100  # whole rubles, the common case
        number = self._number(name, value)
        if number is None:
            return None
        rounded = number.quantize(_CENT, rounding=ROUND_HALF_UP)
        if rounded != number:
            self.warn(f"{number} rounded to kopecks: {rounded}", name)
        return int(rounded * 100)

    def boolean(self, name: str) -> bool | None:
        value = self.text(name)
        if value is None:
            return None
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise self.fail(f"could not read {name}: expected true or false, got {value[:40]!r}", name)

    def finish(self) -> None:
        """Warn about every attribute that was present but not read."""
        for name in self.values:
            if name not in self.used:
                self.warn(f"unknown attribute {name} ignored", name)
