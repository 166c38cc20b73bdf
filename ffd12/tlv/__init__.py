"""FFD TLV: the FFD 1.2 tag dictionary, a typed codec, text rendering, FNS JSON, industry requisite.

>>> doc = Tlv(3, TlvList([Tlv(1054, 1), Tlv(1020, 15000)]))
>>> decode(encode([doc]))[0] == doc
True

Submodules: :mod:`ffd12.tlv.fns_json` (TLV ⇄ FNS JSON), :mod:`ffd12.tlv.industry` (1260/1261),
:mod:`ffd12.tlv.formats` (file formats for ``ffd12 convert``).
"""

from __future__ import annotations

from ffd12.errors import TlvError
from ffd12.tlv.codec import MAX_DEPTH, decode, encode
from ffd12.tlv.nodes import Tlv, TlvList, TlvValue
from ffd12.tlv.tags import TAGS, TagInfo, TagType, tag_info
from ffd12.tlv.text import render_text

__all__ = [
    "MAX_DEPTH",
    "TAGS",
    "TagInfo",
    "TagType",
    "Tlv",
    "TlvError",
    "TlvList",
    "TlvValue",
    "decode",
    "encode",
    "render_text",
    "tag_info",
]
