"""Opening xlsx files safely: refuses non-xlsx, oversized files, zip bombs; XML attacks need defusedxml."""

from __future__ import annotations

import zipfile
from pathlib import Path

from invest.base.findings import UnreadableFile, error

MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200


def open_workbook(path: Path):
    """A read-only openpyxl workbook with cached values (formulas are not evaluated)."""
    import openpyxl  # heavy import kept out of CLI start-up
    try:
        import defusedxml  # noqa: F401  openpyxl only guards against XML bombs when this is installed
    except ImportError:  # pragma: no cover - a dependency of the package
        raise UnreadableFile([error(str(path), "paketet defusedxml saknas; installera om invest (pip install -e .)")])

    where = str(path)
    if not path.exists():
        raise UnreadableFile([error(where, "filen finns inte")])
    if path.is_dir():
        raise UnreadableFile([error(where, "är en katalog, väntat en .xlsx-fil")])
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise UnreadableFile([error(where, f"filtypen {path.suffix or '(ingen)'} stöds inte; väntat en Excel-arbetsbok .xlsx")])
    size = path.stat().st_size
    if size == 0:
        raise UnreadableFile([error(where, "filen är tom (0 byte); väntat en Excel-arbetsbok .xlsx")])
    if size > MAX_FILE_BYTES:
        raise UnreadableFile([error(where, f"filen är {size / 1e6:.0f} MB; största tillåtna storlek är {MAX_FILE_BYTES / 1e6:.0f} MB")])
    if not zipfile.is_zipfile(path):
        raise UnreadableFile([error(where, "är ingen Excel-arbetsbok (.xlsx är ett zip-arkiv; filen är något annat, t.ex. text eller .xls)")])
    with zipfile.ZipFile(path) as archive:
        total = sum(info.file_size for info in archive.infolist())
        if total > MAX_UNCOMPRESSED_BYTES or total > MAX_COMPRESSION_RATIO * max(size, 1) + 10 * 1024 * 1024:
            raise UnreadableFile([error(where, f"arbetsboken packas upp till {total / 1e6:.0f} MB från {size / 1e6:.1f} MB; "
                                           "det ser ut som en zip-bomb och läses inte")])
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise UnreadableFile([error(where, unreadable(exc))]) from None


def unreadable(exc: Exception) -> str:
    """A Swedish message for a workbook (part) openpyxl could not parse; defusedxml's refusals named as such."""
    chain, cause = [], exc
    while cause is not None and len(chain) < 10:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    if any(type(c).__module__.startswith("defusedxml") for c in chain):
        return ("arbetsboken innehåller XML-entiteter eller DTD:er (kan vara en XML-bomb) och läses inte; "
                "spara om filen i Excel")
    first_line = str(chain[-1]).strip().splitlines()[0] if str(chain[-1]).strip() else ""
    return f"arbetsboken kan inte läsas (filen är trasig eller inte en Excel-arbetsbok): {type(chain[-1]).__name__}: {first_line}"
