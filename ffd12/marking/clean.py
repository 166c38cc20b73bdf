"""Scanner-input normalisation: what a till really receives, turned back into a GS1 element string.

Every step that changes the input says so with a :class:`~ffd12.marking.model.Repair`. The steps,
in order (spec/user-needs.md §4.1 lists where each damage comes from):

1. bytes are decoded as UTF-8;
2. surrounding CR/LF/TAB/spaces are cut;
3. 1C's Base64 of the whole code is decoded (line breaks inside it are ignored);
4. Cyrillic produced by a Russian keyboard layout (ЙЦУКЕН) is mapped back to QWERTY;
5. a symbology identifier (``]d2``, ``]C1``, ``]Q3``) is removed;
6. GS written as text (``\\u001d``, ``\\x1d``, ``<GS>``, ``{GS}``, ``{FNC1}``, ``^]``, ``|``, spaces)
   becomes a real GS; a leading GS (FNC1) and a trailing one are dropped;
7. the human-readable form ``(01)…(21)…`` is turned into an element string.
"""

from __future__ import annotations

import base64
import binascii
import re

from ffd12.errors import MarkingCodeError
from ffd12.marking.model import GS, Repair
from ffd12.marking.templates import separator_required

__all__ = ["MAX_INPUT_CHARS", "clean"]

MAX_INPUT_CHARS = 1024
"""Longest input looked at; the longest real code (88-character signature) is under 150."""

_EDGE_CHARS = " \r\n\t\v\f"

# US key → what a Russian (ЙЦУКЕН) layout types on the same key, unshifted and shifted.
_US = "qwertyuiop[]asdfghjkl;'zxcvbnm,./" + 'QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>?' + "`~@#$^&|"
_RU = "йцукенгшщзхъфывапролджэячсмитьбю." + "ЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ," + 'ёЁ"№;:?/'
_LAYOUT_FULL = str.maketrans(_RU, _US)
_LAYOUT_LETTERS = str.maketrans(
    {ru: us for ru, us in zip(_RU, _US, strict=True) if ru.isalpha() and us.isalpha()}
)
_CYRILLIC = re.compile("[А-яЁё№]")
_LATIN = re.compile("[A-Za-z]")

_SYMBOLOGY = re.compile(r"\][A-Za-z][0-9]")
_GS_TEXT = re.compile(
    r"\\u001d|\\x1d|\\035|<GS>|\{GS\}|\[GS\]|<FNC1>|\{FNC1\}|\^\]|␝|\||[ \t]+",
    re.IGNORECASE,
)
_LINE_BREAKS = re.compile(r"[\r\n]+")
_BASE64 = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
_HR_AI = re.compile(r"\((01|21|91|92|93|17|7003|3103|335[0-6]|8005|240|10)\)")
_PRINTABLE = re.compile(r"[\x1d\x20-\x7e]*")


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MarkingCodeError(
            f"could not read marking code: expected UTF-8 text, got byte 0x{data[exc.start]:02X}"
            f" at byte {exc.start}",
            position=exc.start,
        ) from None


def _trim(text: str, repairs: list[Repair]) -> str:
    cut = text.strip(_EDGE_CHARS)
    if cut != text:
        gone = sorted({_NAMES.get(c, repr(c)) for c in text.replace(cut, "", 1) if c in _EDGE_CHARS})
        repairs.append(Repair(kind="trimmed", message=f"Removed {', '.join(gone)} around the code."))
    return cut


_NAMES = {"\r": "CR", "\n": "LF", "\t": "TAB", " ": "spaces", "\v": "VT", "\f": "FF"}


def _layout(text: str, repairs: list[Repair]) -> str:
    if not _CYRILLIC.search(text):
        return text
    count = len(_CYRILLIC.findall(text))
    if _LATIN.search(text):
        mapped = text.translate(_LAYOUT_LETTERS)
        how = "Cyrillic letters mixed with Latin ones were mapped back key by key"
    else:
        mapped = text.translate(_LAYOUT_FULL)
        how = "The code was typed in a Russian keyboard layout (ЙЦУКЕН) and was mapped back to QWERTY"
    repairs.append(Repair(kind="keyboard_layout", message=f"{how} ({count} Cyrillic characters)."))
    return mapped


def _symbology(text: str, repairs: list[Repair]) -> str:
    m = _SYMBOLOGY.match(text)
    if m is None:
        return text
    repairs.append(
        Repair(
            kind="symbology_id", message=f"Removed the symbology identifier {m.group()} in front of the code."
        )
    )
    return text[m.end() :]


def _separators(text: str, repairs: list[Repair]) -> str:
    found: dict[str, int] = {}

    def sub(m: re.Match[str]) -> str:
        token = m.group()
        key = "spaces" if token.isspace() else token
        found[key] = found.get(key, 0) + 1
        return GS

    if GS in text or _GS_TEXT.search(text):
        text = _GS_TEXT.sub(sub, text)
    for key, n in found.items():
        what = "runs of spaces/TAB" if key == "spaces" else f"“{key}”"
        repairs.append(Repair(kind="gs_substitute", message=f"Replaced {n} × {what} with the GS separator."))
    if text.startswith(GS):
        text = text.lstrip(GS)
        repairs.append(Repair(kind="leading_gs", message="Removed a leading GS (FNC1) in front of the code."))
    if text.endswith(GS):
        text = text.rstrip(GS)
        repairs.append(Repair(kind="trailing_gs", message="Removed a GS at the end of the code."))
    if GS + GS in text:
        text = re.sub(GS + "{2,}", GS, text)
        repairs.append(Repair(kind="double_gs", message="Collapsed repeated GS separators into one."))
    return text


def _base64(text: str, repairs: list[Repair]) -> str | None:
    """The decoded code if ``text`` is 1C's Base64 of a marking code, else None."""
    text = _LINE_BREAKS.sub("", text)  # 1C's Base64String() breaks lines every 76 characters
    if len(text) % 4 or text[:1].isdigit() or not _BASE64.fullmatch(text):
        return None
    try:
        decoded = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    if not decoded.isascii():
        return None
    plain = decoded.decode("ascii")
    if not _PRINTABLE.fullmatch(plain) or len(plain.strip(_EDGE_CHARS)) < 20:
        return None
    repairs.append(Repair(kind="base64", message="Decoded the Base64 form 1C uses for MarkingCode."))
    return plain


def _human_readable(text: str, repairs: list[Repair]) -> str:
    if not text.startswith("(") or not _HR_AI.match(text):
        return text
    parts = _HR_AI.split(text)
    # parts: ["", ai, value, ai, value, …]
    pieces: list[str] = []
    pairs = list(zip(parts[1::2], parts[2::2], strict=True))
    for i, (ai, value) in enumerate(pairs):
        pieces.append(ai + value.replace(GS, ""))
        if i + 1 < len(pairs) and separator_required(ai):
            pieces.append(GS)
    repairs.append(
        Repair(kind="human_readable", message="Read the human-readable form with AIs in parentheses.")
    )
    return "".join(pieces)


def clean(data: str | bytes) -> tuple[str, list[Repair]]:
    """Normalise scanner input into an element string with real GS separators.

    Returns the cleaned text and what was repaired. Raises :class:`MarkingCodeError` only for
    input that cannot even be read as text (bad UTF-8, too long).
    """
    repairs: list[Repair] = []
    text = _decode(data) if isinstance(data, bytes) else data
    if len(text) > MAX_INPUT_CHARS:
        raise MarkingCodeError(
            f"could not read marking code: expected at most {MAX_INPUT_CHARS} characters, got {len(text)}"
        )
    text = _trim(text, repairs)
    decoded = _base64(text, repairs)
    if decoded is not None:
        text = _trim(decoded, repairs)
    text = _layout(text, repairs)
    text = _symbology(text, repairs)
    text = _separators(text, repairs)
    text = _human_readable(text, repairs)
    return text, repairs
