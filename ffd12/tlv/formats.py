"""File formats of ``ffd12 convert``: a small registry, extension → reader/writer of a document.

Every format reads bytes into ONE document-level :class:`~ffd12.tlv.nodes.Tlv` (``Tlv(3, …)`` for
a кассовый чек) and writes one back, so any two formats convert through it. Built in:

* ``tlv`` (``.tlv``, ``.bin``) — raw FFD TLV bytes, exactly one top-level document;
* ``json`` (``.json``) — FNS JSON (:mod:`ffd12.tlv.fns_json`), UTF-8, exact decimals.

Adding a format from another module (e.g. 1C CheckPackage XML) takes one call::

    from ffd12.tlv.formats import Format, register_format

    register_format(Format(name="xml", extensions=(".xml",), read=read_xml, write=write_xml,
                           description="1C CheckPackage XML"))

and ``ffd12 convert`` imports the modules named in ``ffd12.cli.convert.FORMAT_MODULES``
(``ffd12.xml.formats`` is already listed there), so putting that call in ``ffd12/xml/formats.py``
is all it needs. A later registration of the same name or extension replaces the earlier one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from ffd12.errors import InputError, TlvError
from ffd12.tlv import jsonio
from ffd12.tlv.codec import decode, encode
from ffd12.tlv.fns_json import from_fns_json, to_fns_json
from ffd12.tlv.nodes import Tlv, TlvList

__all__ = ["Format", "format_by_name", "format_for_path", "formats", "register_format"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Format:
    """One file format: a name for ``--from``/``--to``, its extensions and the two directions."""

    name: str
    extensions: tuple[str, ...]
    read: Callable[[bytes], Tlv]
    write: Callable[[Tlv], bytes]
    description: str = ""


def _read_tlv(data: bytes) -> Tlv:
    tree = decode(data)
    if len(tree) != 1 or not isinstance(tree[0].value, TlvList):
        got = f"{len(tree)} TLVs" if len(tree) != 1 else f"tag {tree[0].tag} that is no STLV"
        raise TlvError(f"could not read a document: expected one top-level STLV, got {got}", offset=0)
    return tree[0]


def _write_tlv(doc: Tlv) -> bytes:
    return encode([doc])


def _read_json(data: bytes) -> Tlv:
    try:
        obj = jsonio.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InputError(f"could not read FNS JSON: {exc or 'nested too deeply'}") from None
    return from_fns_json(obj)


def _write_json(doc: Tlv) -> bytes:
    return (jsonio.dumps(to_fns_json(doc), indent=2) + "\n").encode("utf-8")


_REGISTRY: dict[str, Format] = {}


def register_format(fmt: Format) -> None:
    """Make ``fmt`` available to :func:`format_by_name` and :func:`format_for_path`."""
    for ext in fmt.extensions:
        for other in list(_REGISTRY.values()):
            if ext in other.extensions and other.name != fmt.name:
                kept = tuple(e for e in other.extensions if e != ext)
                _REGISTRY[other.name] = Format(
                    name=other.name, extensions=kept, read=other.read, write=other.write,
                    description=other.description,
                )
    _REGISTRY[fmt.name] = fmt


def formats() -> tuple[Format, ...]:
    """Every registered format, in registration order."""
    return tuple(_REGISTRY.values())


def format_by_name(name: str) -> Format:
    try:
        return _REGISTRY[name.lower()]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise InputError(f"could not find format {name!r}: expected one of {known}") from None


def format_for_path(path: str) -> Format:
    """The format whose extension ``path`` ends with (case-insensitive)."""
    suffix = PurePath(path).suffix.lower()
    for fmt in _REGISTRY.values():
        if suffix in fmt.extensions:
            return fmt
    known = ", ".join(e for f in _REGISTRY.values() for e in f.extensions)
    raise InputError(f"could not tell the format of {path!r}: expected an extension {known} or --from/--to")


register_format(Format(name="tlv", extensions=(".tlv", ".bin"), read=_read_tlv, write=_write_tlv,
                       description="raw FFD TLV bytes"))
register_format(Format(name="json", extensions=(".json",), read=_read_json, write=_write_json,
                       description="FNS JSON (receipt export)"))
