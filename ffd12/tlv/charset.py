"""Text that fits CP866, the character set of FFD TLV strings (spec §1.2).

CP866 has Cyrillic, «№», «°» and box drawing, but no typographic quotes, dashes, ellipsis, «₽» or
«€»; the encoder refuses such text rather than guess. Names from 1C and web shops are full of them
(ООО «Ромашка», «Молоко — 3,2 %»), so callers that build a receipt can pass text through
:func:`to_cp866_text` first, which replaces each with its plain counterpart, as registers print them.

>>> to_cp866_text("ООО «Ромашка» — молоко…")
'ООО "Ромашка" - молоко...'
>>> can_encode("ООО «Ромашка»")
False
"""

from __future__ import annotations

__all__ = ["can_encode", "to_cp866_text"]

#: Replacements for common characters that have no CP866 code (one place, data not branches).
REPLACEMENTS: dict[str, str] = {
    "«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "‟": '"',
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "″": '"',
    "—": "-", "–": "-", "‒": "-", "−": "-", "‐": "-", "‑": "-",
    "…": "...", "₽": "руб.", "€": "EUR", "×": "x",
    "\u2009": " ", "\u202f": " ", "\u2007": " ", "\u2002": " ", "\u2003": " ",
}
_TABLE = str.maketrans(REPLACEMENTS)


def can_encode(text: str) -> bool:
    """Whether every character of ``text`` has a CP866 code."""
    try:
        text.encode("cp866")
    except UnicodeEncodeError:
        return False
    return True


def to_cp866_text(text: str) -> str:
    """``text`` with typographic characters replaced by CP866 ones; anything else is kept as is."""
    return text.translate(_TABLE)
