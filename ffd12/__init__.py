"""ffd12 — FFD 1.2 fiscalization with marking codes («Честный знак»).

Subpackages: :mod:`ffd12.marking` (КМ), :mod:`ffd12.tlv` (FFD TLV), :mod:`ffd12.xml` (1C XML),
:mod:`ffd12.drivers` (registers), :mod:`ffd12.permissive` (ГИС МТ), :mod:`ffd12.emulator`.
"""

from ffd12.errors import (
    ConfigError,
    Ffd12Error,
    InputError,
    JournalError,
    LinkError,
    MarkingCodeError,
    PermissiveError,
    RegisterError,
    TlvError,
    ValidationError,
    Violation,
    XmlError,
)

__version__ = "0.1.0"

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
    "__version__",
]
