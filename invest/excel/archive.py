"""Opening an .xlsx package safely, before a sheet is read: the file must be a zip within MAX_FILE_BYTES (a
password-protected workbook, an OLE file, is named as such), unpack within MAX_UNCOMPRESSED_BYTES and
MAX_COMPRESSION_RATIO, each part within its own bound, and no XML part may declare a DTD (an XML bomb); then the
sheets as the package lists them (`sheet_parts`). Every refusal is an UnreadableFile naming the file; `unreadable`
words a parser's failure in Swedish."""

from __future__ import annotations

import codecs
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from invest.base.findings import UnreadableFile, error

MB = 1024 * 1024
MAX_FILE_BYTES = 100 * MB
MAX_UNCOMPRESSED_BYTES = 1024 * MB
MAX_COMPRESSION_RATIO = 200
# Each part that is read is bounded by itself, as its size decides the time spent on it: a sheet's XML is streamed
# (about 10–15 MB/s through the whole import), so 200 MB — 18 times the 20 000-row benchmark sheet's 11 MB, a
# hundred times a large region's plan — is still read in bounded time. The parts calamine reads whole when it opens
# the workbook are held in memory and are small in every real workbook: the shared strings of a 20 000-row plan are
# 1–2 MB, styles and the sheet list well under 1 MB.
MAX_SHEET_PART_BYTES = 200 * MB
MAX_PART_BYTES = {"sharedstrings": 64 * MB, "styles": 16 * MB, "workbook": 16 * MB, "rels": 4 * MB}
# A part this large that packs tighter than MAX_COMPRESSION_RATIO is a zip bomb; smaller parts (a sheet of empty
# styled rows packs 100–1000×) are bounded by their size alone
RATIO_FLOOR_BYTES = 16 * MB
# A password-protected workbook is an OLE compound file holding the encrypted package; its directory is near the
# start of the file (the first directory sector is read, and this much of the file besides)
_OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_OLE_SCAN_BYTES = 64 * 1024

XML_BOMB = ("arbetsboken innehåller XML-entiteter eller DTD:er (kan vara en XML-bomb) och läses inte; "
            "spara om filen i Excel")


def open_archive(path: Path) -> zipfile.ZipFile:
    """The file's zip package, open (the caller closes it), once it has passed every check made before a sheet is
    read; UnreadableFile when it cannot or should not be read."""
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
        if _encrypted(path):
            raise UnreadableFile([error(where, "arbetsboken är lösenordsskyddad (krypterad) och kan inte läsas; spara den "
                                               "i Excel utan lösenord (Arkiv > Info > Skydda arbetsbok) och försök igen")])
        raise UnreadableFile([error(where, "är ingen Excel-arbetsbok (.xlsx är ett zip-arkiv; filen är något annat, t.ex. text eller .xls)")])
    try:
        archive = zipfile.ZipFile(path)
    except Exception as exc:  # a damaged zip directory
        raise UnreadableFile([error(where, unreadable(exc))]) from None
    try:
        names = [info.filename for info in archive.infolist()]
        if len(names) != len(archive.NameToInfo):  # two members of one name: the zip module silently keeps the last
            twice = next(name for name in names if names.count(name) > 1)
            raise UnreadableFile([error(where, f"arbetsboken har delen {twice} mer än en gång (det skriver Excel "
                                               "aldrig, och vilken av dem som gäller är oklart); filen är trasig eller "
                                               "gjord för att lura och läses inte, spara om den i Excel")])
        total = sum(info.file_size for info in archive.infolist())
        if total > MAX_UNCOMPRESSED_BYTES or total > MAX_COMPRESSION_RATIO * max(size, 1) + 10 * 1024 * 1024:
            raise UnreadableFile([error(where, f"arbetsboken packas upp till {total / 1e6:.0f} MB från {size / 1e6:.1f} MB; "
                                           "det ser ut som en zip-bomb och läses inte")])
        for info in archive.infolist():
            problem = _oversized(info)
            if problem:
                raise UnreadableFile([error(where, problem)])
        if any(_declares_dtd(archive, info) for info in archive.infolist()
               if info.filename.lower().endswith((".xml", ".rels", ".vml"))):
            raise UnreadableFile([error(where, XML_BOMB)])
    except BaseException:
        archive.close()
        raise
    return archive


def _encrypted(path: Path) -> bool:
    """Whether the file is an OLE compound file with an EncryptedPackage stream (how Excel saves a workbook with a
    password to open): the name is looked for in the first directory sector and the start of the file."""
    try:
        with open(path, "rb") as f:
            head = f.read(_OLE_SCAN_BYTES)
            if not head.startswith(_OLE_MAGIC) or len(head) < 512:
                return False
            if _ENCRYPTED in head:
                return True
            sector = 1 << min(int.from_bytes(head[30:32], "little"), 16)
            directory = int.from_bytes(head[48:52], "little")
            f.seek((directory + 1) * sector)
            return _ENCRYPTED in f.read(sector)
    except (OSError, ValueError):
        return False


def _oversized(info: zipfile.ZipInfo) -> str:
    """Why a part is too large to read (naming it), or "". A part that is neither the shared strings, the styles,
    the sheet list nor relationships is bounded as a sheet (a sheet's part may have any name)."""
    lower = info.filename.lower()
    kind = "rels" if lower.endswith(".rels") else lower.rpartition("/")[2].removesuffix(".xml")
    limit = MAX_PART_BYTES.get(kind, MAX_SHEET_PART_BYTES)
    if info.file_size > limit:
        return (f"delen {info.filename} packas upp till {info.file_size / 1e6:.0f} MB; största tillåtna är "
                f"{limit / 1e6:.0f} MB (det ser ut som en zip-bomb eller en skadad fil och läses inte)")
    if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
        return (f"delen {info.filename} packas upp från {info.compress_size / 1e6:.1f} MB till "
                f"{info.file_size / 1e6:.0f} MB (mer än {MAX_COMPRESSION_RATIO} gånger); det ser ut som en zip-bomb "
                "och läses inte")
    return ""


def unreadable(exc: BaseException) -> str:
    """A Swedish message for a workbook (part) that could not be parsed; defusedxml's refusals named as such."""
    chain, cause = [], exc
    while cause is not None and len(chain) < 10:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    if any(type(c).__module__.startswith("defusedxml") for c in chain):
        return XML_BOMB
    if any(isinstance(c, MemoryError) for c in chain):
        return "arbetsboken kan inte läsas: den är för stor för minnet (MemoryError)"
    first_line = str(chain[-1]).strip().splitlines()[0][:200] if str(chain[-1]).strip() else ""
    return f"arbetsboken kan inte läsas (filen är trasig eller inte en Excel-arbetsbok): {type(chain[-1]).__name__}: {first_line}"


# --- workbook structure ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Part:
    """A sheet as the package lists it: its name, state and XML part, and whether it is a chart sheet."""

    name: str
    state: str  # visible, hidden, veryHidden
    path: str | None  # the sheet's XML in the zip (perhaps missing from it); None when openpyxl reads the whole workbook
    chart: bool


_PROLOG = re.compile(rb"(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.S)
_PROLOG_LIMIT = 1 << 20


def _declares_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether an XML part has a DOCTYPE (where entities are declared) before its root element. calamine never
    expands entities; this keeps the refusal openpyxl with defusedxml gave. A prolog longer than 1 MB is left to
    the parsers (defusedxml refuses a DTD for the parts parsed here)."""
    try:
        with archive.open(info) as stream:
            head = stream.read(4)
            if head.startswith(codecs.BOM_UTF8):
                decoder = None
            elif head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) or head in (b"<\0?\0", b"\0<\0?"):
                decoder = codecs.getincrementaldecoder("utf-16-be" if head.startswith(b"\0") else "utf-16")()
            else:
                decoder = None
            pending, chunk = b"", head
            while True:
                text = pending + (decoder.decode(chunk).encode() if decoder else chunk)
                text = text.removeprefix(codecs.BOM_UTF8)
                rest = text[_PROLOG.match(text).end():]
                chunk = stream.read(1 << 16)
                if chunk and (len(rest) < 9 or rest.startswith((b"<!--", b"<?"))) and len(rest) < _PROLOG_LIMIT:
                    pending = rest  # the prolog goes on in the next chunk
                    continue
                return rest.startswith(b"<!")
    except Exception:  # a damaged member: the readers report it
        return False


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """A part's relationships: id -> (type, target part in the zip)."""
    from defusedxml import ElementTree

    folder, _, name = part.rpartition("/")
    rels = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
    if rels not in archive.NameToInfo:
        return {}
    out = {}
    for rel in ElementTree.fromstring(archive.read(rels)):
        if _local(rel.tag) != "Relationship" or rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id")] = (rel.get("Type", ""), path)
    return out


def sheet_parts(archive: zipfile.ZipFile) -> list[Part]:
    """The sheets as xl/workbook.xml lists them: a sheet without a relationship id is left out, as openpyxl did; one
    whose part is missing is kept (reading it says so: openpyxl silently left it out); an unknown id or state raises
    (openpyxl then gives its own error)."""
    from defusedxml import ElementTree

    office = [target for kind, target in _relationships(archive, "").values() if kind.endswith("/officeDocument")]
    workbook = office[0] if office else "xl/workbook.xml"
    rels = _relationships(archive, workbook)
    parts = []
    for sheet in ElementTree.fromstring(archive.read(workbook)).iter():
        if _local(sheet.tag) != "sheet":
            continue
        rid = next((value for key, value in sheet.attrib.items() if key.endswith("}id")), None)
        if not rid:
            continue
        kind, target = rels[rid]
        state = sheet.get("state", "visible")
        if state not in ("visible", "hidden", "veryHidden"):
            raise ValueError(f"sheet state {state}")
        parts.append(Part(sheet.get("name"), state, target, "chartsheet" in kind))
    return parts
