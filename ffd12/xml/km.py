"""The FFD 1.2 marking XMLs of the 1C standard: RequestKM, RequestKMResult, ProcessingKMResult (spec §6).

Each document is a frozen record with a reader and a writer. Readers are as lenient as the
CheckPackage reader (``True``/``true``, a ``MarkingCode`` that is not Base64) and return the
conversions as warnings; writers produce one fixed form.

>>> r = read_processing_km_result(
...     b'<ProcessingKMResult GUID="193DDFC8" Result="True" StatusInfo="1" HandleCode="0"/>')
>>> r.value.result, r.value.status_info, r.value.handle_code
(True, <StatusInfo.CORRECT: 1>, <HandleCode.OK: 0>)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, NamedTuple, TypeVar

from lxml import etree

from ffd12.enums import CheckResult, HandleCode, Measure, PlannedStatus, StatusInfo
from ffd12.errors import InputError, XmlError
from ffd12.marking import MarkingCode, parse
from ffd12.model import Fraction
from ffd12.xml.attrs import Attrs
from ffd12.xml.read_item import decode_code
from ffd12.xml.safe import XmlWarning, parse_xml
from ffd12.xml.write_check import format_quantity

__all__ = [
    "ProcessingKMResult",
    "RequestKM",
    "RequestKMResult",
    "read_processing_km_result",
    "read_request_km",
    "read_request_km_result",
    "write_processing_km_result",
    "write_request_km",
    "write_request_km_result",
]

_T = TypeVar("_T")
_HEADER = b'<?xml version="1.0" encoding="UTF-8"?>\n'


class KmReading(NamedTuple, Generic[_T]):
    value: _T
    warnings: list[XmlWarning]


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestKM:
    """RequestKM IN: ask the FN (and ОИСМ) about one marking code; ``guid`` is chosen by 1C."""

    guid: str
    marking_code: MarkingCode
    planned_status: PlannedStatus
    quantity: Decimal | None = None
    measure: Measure | None = None
    fraction: Fraction | None = None
    wait_for_result: bool | None = None
    not_send_to_server: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestKMResult:
    """RequestKM OUT: ``checking`` — the FN checked the code's signature; ``checking_result`` — it passed."""

    checking: bool
    checking_result: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcessingKMResult:
    """GetProcessingKMResult OUT: ОИСМ's answer for a RequestKM ``guid``.

    ``result_code`` is tag 2106 (15 = everything checked and positive), ``status_info`` 2109,
    ``handle_code`` 2105.
    """

    guid: str
    result: bool
    handle_code: HandleCode
    result_code: CheckResult | None = None
    status_info: StatusInfo | None = None


def _read(data: bytes | str, root_name: str, build: Callable[[Attrs, etree._Element], _T]) -> KmReading[_T]:
    warnings: list[XmlWarning] = []
    root = parse_xml(data, warnings=warnings)
    if root.tag != root_name:
        raise XmlError(f"could not read {root_name}: the root element is {str(root.tag)[:40]!r}", line=1)
    a = Attrs(root, root_name, warnings)
    try:
        value = build(a, root)
    except XmlError:
        raise
    except (InputError, ValueError) as exc:
        raise a.fail(f"could not read {root_name}: {exc}") from None
    a.finish()
    return KmReading(value, warnings)


def _bool_required(a: Attrs, name: str) -> bool:
    value = a.boolean(name)
    if value is None:
        raise a.fail(f"could not read {a.element.tag}: attribute {name} is required", name)
    return value


def _int_required(a: Attrs, name: str) -> int:
    value = a.integer(name)
    if value is None:
        raise a.fail(f"could not read {a.element.tag}: attribute {name} is required", name)
    return value


def _request(a: Attrs, root: etree._Element) -> RequestKM:
    text = decode_code(a, "MarkingCode", a.required("MarkingCode"))
    try:
        code = parse(text)
    except InputError as exc:
        raise a.fail(f"could not read MarkingCode: {exc}", "MarkingCode") from None
    measure = a.integer("MeasureOfQuantity")
    fraction: Fraction | None = None
    for child in root:
        if child.tag == "FractionalQuantity":
            f = Attrs(child, "RequestKM.FractionalQuantity", a.warnings)
            fraction = Fraction(
                numerator=_int_required(f, "Numerator"), denominator=_int_required(f, "Denominator")
            )
            f.finish()
        else:
            a.warnings.append(
                XmlWarning(path=f"RequestKM.{child.tag}", line=None, message="unknown element ignored")
            )
    return RequestKM(
        guid=a.required("GUID"),
        marking_code=code,
        planned_status=PlannedStatus(_int_required(a, "PlannedStatus")),
        quantity=a.decimal("Quantity"),
        measure=None if measure is None else Measure(measure),
        fraction=fraction,
        wait_for_result=a.boolean("WaitForResult"),
        not_send_to_server=a.boolean("NotSendToServer"),
    )


def read_request_km(data: bytes | str) -> KmReading[RequestKM]:
    return _read(data, "RequestKM", _request)


def read_request_km_result(data: bytes | str) -> KmReading[RequestKMResult]:
    return _read(
        data,
        "RequestKMResult",
        lambda a, _: RequestKMResult(
            checking=_bool_required(a, "Checking"), checking_result=_bool_required(a, "CheckingResult")
        ),
    )


def _processing(a: Attrs, _: etree._Element) -> ProcessingKMResult:
    code, status = a.integer("ResultCode"), a.integer("StatusInfo")
    if code is not None and not 0 <= code <= 31:
        raise a.fail(f"could not read ResultCode: expected a 2106 bit mask 0–31, got {code}", "ResultCode")
    return ProcessingKMResult(
        guid=a.required("GUID"),
        result=_bool_required(a, "Result"),
        handle_code=HandleCode(_int_required(a, "HandleCode")),
        result_code=None if code is None else CheckResult(code),
        status_info=None if status is None else StatusInfo(status),
    )


def read_processing_km_result(data: bytes | str) -> KmReading[ProcessingKMResult]:
    return _read(data, "ProcessingKMResult", _processing)


def _write(
    name: str, pairs: list[tuple[str, str | None]], children: list[etree._Element] | None = None
) -> bytes:
    root = etree.Element(name)
    for key, value in pairs:
        if value is not None:
            root.set(key, value)
    for child in children or ():
        root.append(child)
    etree.indent(root, space="\t")
    return _HEADER + etree.tostring(root, encoding="UTF-8", xml_declaration=False) + b"\n"


def _b(value: bool | None) -> str | None:
    return None if value is None else ("true" if value else "false")


def write_request_km(request: RequestKM) -> bytes:
    children: list[etree._Element] = []
    if request.fraction is not None:
        f = etree.Element("FractionalQuantity")
        f.set("Numerator", str(request.fraction.numerator))
        f.set("Denominator", str(request.fraction.denominator))
        children.append(f)
    return _write(
        "RequestKM",
        [
            ("GUID", request.guid),
            ("WaitForResult", _b(request.wait_for_result)),
            ("MarkingCode", request.marking_code.base64()),
            ("PlannedStatus", str(int(request.planned_status))),
            ("Quantity", None if request.quantity is None else format_quantity(request.quantity)),
            ("MeasureOfQuantity", None if request.measure is None else str(int(request.measure))),
            ("NotSendToServer", _b(request.not_send_to_server)),
        ],
        children,
    )


def write_request_km_result(result: RequestKMResult) -> bytes:
    return _write(
        "RequestKMResult", [("Checking", _b(result.checking)), ("CheckingResult", _b(result.checking_result))]
    )


def write_processing_km_result(result: ProcessingKMResult) -> bytes:
    return _write(
        "ProcessingKMResult",
        [
            ("GUID", result.guid),
            ("Result", _b(result.result)),
            ("ResultCode", None if result.result_code is None else str(int(result.result_code))),
            ("StatusInfo", None if result.status_info is None else str(int(result.status_info))),
            ("HandleCode", str(int(result.handle_code))),
        ],
    )
