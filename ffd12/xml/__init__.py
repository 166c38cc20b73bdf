"""1C «Standard for connecting retail equipment» XML ⇄ the receipt model (spec/onec-xml.md).

* :func:`read_check_package` / :func:`write_check_package` — ``CheckPackage`` ⇄
  :class:`~ffd12.model.Receipt` (current FFD 1.2 form written; older forms read with warnings);
* :func:`read_request_km`, :func:`read_request_km_result`, :func:`read_processing_km_result` and
  their writers — the marking XMLs of §6;
* :func:`validate` — XSD validation against the schemas shipped with the package.

Parsing is safe: no DTD, no entities, no network, a size cap (:mod:`ffd12.xml.safe`).
"""

from ffd12.xml.km import (
    ProcessingKMResult,
    RequestKM,
    RequestKMResult,
    read_processing_km_result,
    read_request_km,
    read_request_km_result,
    write_processing_km_result,
    write_request_km,
    write_request_km_result,
)
from ffd12.xml.read_check import Reading, read_check_package
from ffd12.xml.safe import XmlWarning, parse_xml
from ffd12.xml.schema import SchemaIssue, validate
from ffd12.xml.write_check import write_check_package

__all__ = [
    "ProcessingKMResult",
    "Reading",
    "RequestKM",
    "RequestKMResult",
    "SchemaIssue",
    "XmlWarning",
    "parse_xml",
    "read_check_package",
    "read_processing_km_result",
    "read_request_km",
    "read_request_km_result",
    "validate",
    "write_check_package",
    "write_processing_km_result",
    "write_request_km",
    "write_request_km_result",
]
