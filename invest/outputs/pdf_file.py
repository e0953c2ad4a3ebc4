"""The PDF report's pages as values, and the PDF file they make.

A `Page` holds what is on it: lines of text (each placed by its baseline, left, right or centre aligned), rules,
shaded bands and images (pixels shown unresampled at the size given), in inches from the page's left edge and foot.
`write_pdf` writes the pages as one PDF 1.4 file: text in DejaVu Sans (pdf_fonts), kerned, each font embedded once as
a TrueType subset (CIDFontType2, Identity-H) with a ToUnicode map so that the text can be searched and copied; each
image as its pixels (DeviceRGB, Flate); no creation date, so that the same pages make the same file."""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from invest.outputs.pdf_fonts import Face, face, subset

POINTS = 72.0  # to the inch
IMAGE_COMPRESSION = 3  # zlib level of the images: a tenth of the time of level 6 for files a fifth larger
TEXT_COMPRESSION = 6


@dataclass(frozen=True)
class Text:
    """A line of text; `x` is where its baseline starts (`align` "left"), ends ("right") or has its middle."""

    x: float
    y: float
    text: str
    size: float
    bold: bool = False
    colour: str = "#000000"
    align: str = "left"


@dataclass(frozen=True)
class Rule:
    """A horizontal line from `x0` to `x1` at height `y`, `width` points thick."""

    x0: float
    x1: float
    y: float
    width: float
    colour: str


@dataclass(frozen=True)
class Band:
    """A filled rectangle, its lower left corner at (`x`, `y`)."""

    x: float
    y: float
    width: float
    height: float
    colour: str


@dataclass(frozen=True)
class Picture:
    """An image's pixels (rows from the top, RGB) shown in the rectangle whose lower left corner is at (`x`, `y`)."""

    x: float
    y: float
    width: float
    height: float
    pixels: np.ndarray


@dataclass
class Page:
    """One page of `size` (width, height) inches and what is on it, drawn bands first, then images, rules and
    text."""

    size: tuple[float, float]
    texts: list[Text] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)


def write_pdf(pages: list[Page], target: Path, title: str) -> Path:
    """Writes `pages` to `target` as a PDF file titled `title` (its Creator and Producer "invest")."""
    document = _Document()
    pages_id = document.reserve()
    fonts = {bold: _Font(face(bold), document.reserve()) for bold in sorted({t.bold for p in pages for t in p.texts})}
    page_ids = [_page(document, page, fonts, pages_id) for page in pages]
    for font in fonts.values():
        font.embed(document)
    document.put(pages_id, f"<< /Type /Pages /Kids [{' '.join(f'{i} 0 R' for i in page_ids)}] "
                           f"/Count {len(page_ids)} >>")
    catalog = document.add(f"<< /Type /Catalog /Pages {pages_id} 0 R >>")
    info = document.add(f"<< /Title {_text_string(title)} /Creator (invest) /Producer (invest) >>")
    Path(target).write_bytes(document.bytes(catalog, info))
    return Path(target)


class _Document:
    """Numbered objects, written in order with the cross-reference table."""

    def __init__(self):
        self.bodies: dict[int, bytes] = {}
        self.count = 0

    def reserve(self) -> int:
        self.count += 1
        return self.count

    def put(self, number: int, body: str | bytes) -> int:
        self.bodies[number] = body.encode("latin-1") if isinstance(body, str) else body
        return number

    def add(self, body: str | bytes) -> int:
        return self.put(self.reserve(), body)

    def stream(self, entries: str, data: bytes, level: int = TEXT_COMPRESSION) -> int:
        packed = zlib.compress(data, level)
        return self.add(f"<< {entries} /Filter /FlateDecode /Length {len(packed)} >>\nstream\n".encode("latin-1")
                        + packed + b"\nendstream")

    def bytes(self, root: int, info: int) -> bytes:
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number in range(1, self.count + 1):
            offsets.append(len(out))
            out += f"{number} 0 obj\n".encode() + self.bodies[number] + b"\nendobj\n"
        start = len(out)
        out += f"xref\n0 {self.count + 1}\n0000000000 65535 f \n".encode()
        out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
        out += (f"trailer\n<< /Size {self.count + 1} /Root {root} 0 R /Info {info} 0 R >>\n"
                f"startxref\n{start}\n%%EOF\n").encode()
        return bytes(out)


class _Font:
    """A face as a document uses it: its object number (given before the pages refer to it), the glyphs shown so far
    and the character each stands for."""

    def __init__(self, face_: Face, reference: int):
        self.face = face_
        self.reference = reference
        self.used: dict[int, str] = {}

    @property
    def key(self) -> str:
        """Its name in a page's resources."""
        return f"F{self.reference}"

    def shown(self, text: str) -> str:
        """`text` as a TJ array: each glyph's id in hex, the kerning between them in thousandths of an em."""
        glyphs = self.face.glyphs(text)
        for glyph, char in zip(glyphs, text):
            self.used.setdefault(glyph, char)
        parts, run = [], ""
        for glyph, kern in zip(glyphs, self.face.runs(glyphs) + [0]):
            run += f"{glyph:04x}"
            if kern:
                parts.append(f"<{run}> {_number(-kern * 1000 / self.face.units)}")
                run = ""
        return "[" + " ".join(parts + ([f"<{run}>"] if run else [])) + "]"

    def embed(self, document: _Document) -> None:
        """The font (Type0 at its reference), its CIDFont, descriptor, program (the glyphs shown on every page) and
        ToUnicode map."""
        f, scale = self.face, 1000 / self.face.units
        tag = "".join(chr(65 + b % 26) for b in hashlib.sha1(repr(sorted(self.used)).encode()).digest()[:6])
        name = f"{tag}+{f.name}"  # a subset is named by a tag of six capitals
        program = subset(f, set(self.used))
        file_id = document.stream(f"/Length1 {len(program)}", program)
        box = " ".join(_number(f.metric(b"head", at) * scale) for at in (36, 38, 40, 42))
        ascent, descent = f.metric(b"hhea", 4) * scale, f.metric(b"hhea", 6) * scale
        descriptor = document.add(
            f"<< /Type /FontDescriptor /FontName /{name} /Flags 32 /FontBBox [{box}] /ItalicAngle 0 "
            f"/Ascent {_number(ascent)} /Descent {_number(descent)} /CapHeight {_number(ascent)} "
            f"/StemV 80 /FontFile2 {file_id} 0 R >>")  # StemV: required, and only read to substitute the font
        widths = " ".join(f"{g} [{_number(f.advances[g] * scale)}]" for g in sorted(self.used))
        cid_font = document.add(f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{name} "
                                f"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
                                f"/FontDescriptor {descriptor} 0 R /DW 1000 /W [{widths}] /CIDToGIDMap /Identity >>")
        to_unicode = document.stream("", _to_unicode(self.used).encode("latin-1"))
        document.put(self.reference, f"<< /Type /Font /Subtype /Type0 /BaseFont /{name} /Encoding /Identity-H "
                                     f"/DescendantFonts [{cid_font} 0 R] /ToUnicode {to_unicode} 0 R >>")


def _page(document: _Document, page: Page, fonts: dict[bool, _Font], parent: int) -> int:
    """The page's content stream, its images and the page object; returns its number."""
    ops = [f"{_rgb(band.colour)} rg {_box(band.x, band.y, band.width, band.height)} re f" for band in page.bands]
    images = {}
    for n, picture in enumerate(page.pictures, start=1):
        images[f"Im{n}"] = _image(document, picture.pixels)
        ops.append(f"q {_number(picture.width * POINTS)} 0 0 {_number(picture.height * POINTS)} "
                   f"{_number(picture.x * POINTS)} {_number(picture.y * POINTS)} cm /Im{n} Do Q")
    for rule in page.rules:
        ops.append(f"{_rgb(rule.colour)} RG {_number(rule.width)} w 2 J {_number(rule.x0 * POINTS)} "
                   f"{_number(rule.y * POINTS)} m {_number(rule.x1 * POINTS)} {_number(rule.y * POINTS)} l S")
    for text in page.texts:
        font = fonts[text.bold]
        shift = {"left": 0.0, "right": 1.0, "center": 0.5}[text.align] * font.face.width(text.text, text.size)
        ops.append(f"BT /{font.key} {_number(text.size)} Tf {_rgb(text.colour)} rg "
                   f"{_number(text.x * POINTS - shift)} {_number(text.y * POINTS)} Td {font.shown(text.text)} TJ ET")
    content = document.stream("", "\n".join(ops).encode("latin-1"))
    width, height = (_number(v * POINTS) for v in page.size)
    font_refs = " ".join(f"/{font.key} {font.reference} 0 R" for font in fonts.values())
    image_refs = " ".join(f"/{name} {number} 0 R" for name, number in images.items())
    resources = f"<< /Font << {font_refs} >> /XObject << {image_refs} >> >>"
    return document.add(f"<< /Type /Page /Parent {parent} 0 R /MediaBox [0 0 {width} {height}] "
                        f"/Contents {content} 0 R /Resources {resources} >>")


def _image(document: _Document, pixels: np.ndarray) -> int:
    rows, columns = pixels.shape[:2]
    data = np.ascontiguousarray(pixels[:, :, :3], dtype=np.uint8).tobytes()
    return document.stream(f"/Type /XObject /Subtype /Image /Width {columns} /Height {rows} /ColorSpace /DeviceRGB "
                           f"/BitsPerComponent 8", data, IMAGE_COMPRESSION)


def _to_unicode(used: dict[int, str]) -> str:
    """The CMap from each glyph shown to the character it stands for (the missing-glyph box stands for none)."""
    pairs = [(g, c) for g, c in sorted(used.items()) if g]
    blocks = []
    for start in range(0, len(pairs), 100):  # at most 100 mappings a block
        chunk = pairs[start:start + 100]
        blocks.append(f"{len(chunk)} beginbfchar\n"
                      + "\n".join(f"<{g:04x}> <{_utf16(c)}>" for g, c in chunk) + "\nendbfchar")
    return ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <ffff>\n"
            "endcodespacerange\n" + "\n".join(blocks) + "\nendcmap\nCMapName currentdict /CMap defineresource pop\n"
            "end\nend")


def _text_string(text: str) -> str:
    """Any text as a PDF text string: UTF-16BE with its byte order mark, in hex."""
    return f"<feff{_utf16(text)}>"


def _utf16(text: str) -> str:
    """UTF-16BE in hex; a lone surrogate (a file name that was not UTF-8) as "?"."""
    return text.encode("utf-16-be", "replace").hex()


def _rgb(colour: str) -> str:
    """"#rrggbb" as three fractions."""
    return " ".join(_number(int(colour[i:i + 2], 16) / 255) for i in (1, 3, 5))


def _box(x: float, y: float, width: float, height: float) -> str:
    return " ".join(_number(v * POINTS) for v in (x, y, width, height))


def _number(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
