"""The PDF report's typeface, DejaVu Sans (regular and bold, the files matplotlib ships and draws the charts with):
the glyph of each character, advance widths and kerning to set a line of text and measure it, and the font cut down
to the glyphs a document uses for embedding.

The cut keeps every glyph's id (so that a character code in the PDF is its glyph id, CIDToGIDMap Identity) and
empties the glyphs not used; it keeps the tables a PDF reader needs of an embedded TrueType font (PDF 1.7 §9.9) and
leaves out the rest (names, layout features, the character map: the PDF maps glyphs to characters itself). Read
with the standard library and numpy: fontTools, which matplotlib's own PDF writer subsets with, takes longer to import
than this takes to write the whole report."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from matplotlib import get_data_path
from matplotlib.ft2font import FT2Font

FONT_FILES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}  # by bold
KEPT_TABLES = (b"OS/2", b"cvt ", b"fpgm", b"glyf", b"head", b"hhea", b"hmtx", b"loca", b"maxp", b"post", b"prep")
# a composite glyph's component: flags, glyph id, two arguments (words with flag 0x0001, else bytes), then a scale
# of 2, 4 or 8 bytes by its flag; another component follows while flag 0x0020 is set
_ARGS_ARE_WORDS, _MORE_COMPONENTS = 0x0001, 0x0020
_SCALE_BYTES = ((0x0008, 2), (0x0040, 4), (0x0080, 8))


@dataclass(frozen=True)
class Face:
    """One TrueType font file read once: its tables, character map, advance widths and kerning pairs, in font
    units (`units` to the em)."""

    name: str
    data: bytes
    tables: dict[bytes, tuple[int, int]]  # tag -> (offset, length)
    charmap: dict[int, int]  # code point -> glyph id
    advances: np.ndarray  # per glyph id
    kerning: dict[int, int]  # left glyph << 16 | right glyph -> adjustment
    units: int

    def table(self, tag: bytes) -> bytes:
        offset, length = self.tables[tag]
        return self.data[offset:offset + length]

    def glyphs(self, text: str) -> list[int]:
        """The glyph of each character; a character the font lacks is its missing-glyph box (glyph 0), as a chart
        shows it."""
        return [self.charmap.get(ord(c), 0) for c in text]

    def runs(self, glyphs: list[int]) -> list[int]:
        """The kerning after each glyph but the last, in font units (negative: closer)."""
        return [self.kerning.get(a << 16 | b, 0) for a, b in zip(glyphs, glyphs[1:])]

    def width(self, text: str, size: float) -> float:
        """The advance of `text` set at `size` points, kerned, in points."""
        glyphs = self.glyphs(text)
        return (sum(int(self.advances[g]) for g in glyphs) + sum(self.runs(glyphs))) * size / self.units

    def metric(self, tag: bytes, at: int, fmt: str = ">h") -> int:
        return struct.unpack_from(fmt, self.data, self.tables[tag][0] + at)[0]


@lru_cache(maxsize=None)
def face(bold: bool = False) -> Face:
    """DejaVu Sans, regular or bold, from matplotlib's data."""
    return read_face(Path(get_data_path()) / "fonts" / "ttf" / FONT_FILES[bold])


def read_face(path: Path) -> Face:
    data = path.read_bytes()
    count = struct.unpack_from(">H", data, 4)[0]
    tables = {}
    for i in range(count):
        tag, _, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
        tables[tag] = (offset, length)
    font = FT2Font(str(path))
    return Face(font.postscript_name, data, tables, font.get_charmap(), _advances(data, tables),
                _kerning(data, tables), font.units_per_EM)


def _advances(data: bytes, tables: dict[bytes, tuple[int, int]]) -> np.ndarray:
    """hmtx: a (advance, left side bearing) pair per glyph up to hhea's numberOfHMetrics, the last advance for the
    rest of maxp's glyphs."""
    metrics = struct.unpack_from(">H", data, tables[b"hhea"][0] + 34)[0]
    glyphs = struct.unpack_from(">H", data, tables[b"maxp"][0] + 4)[0]
    advances = np.frombuffer(data, ">u2", count=2 * metrics, offset=tables[b"hmtx"][0])[0::2].astype(np.int64)
    return np.concatenate([advances, np.full(max(glyphs - metrics, 0), advances[-1], np.int64)])


def _kerning(data: bytes, tables: dict[bytes, tuple[int, int]]) -> dict[int, int]:
    """The horizontal pairs of the 'kern' table's format 0 subtables (DejaVu Sans has one); none without it."""
    if b"kern" not in tables:
        return {}
    at = tables[b"kern"][0]
    version, count = struct.unpack_from(">HH", data, at)
    at, pairs = at + 4, {}
    for _ in range(count if version == 0 else 0):
        length, coverage, n = struct.unpack_from(">HHH", data, at + 2)
        if coverage & 0xFF07 == 0x0001:  # format 0, horizontal, kerning values (not minima), not cross-stream
            rows = np.frombuffer(data, ">u2", count=3 * n, offset=at + 14).reshape(n, 3)
            keys = rows[:, 0].astype(np.int64) << 16 | rows[:, 1]
            pairs.update(zip(keys.tolist(), rows[:, 2].astype(np.int16).tolist()))
        at += 14 + 6 * n if coverage & 0xFF00 == 0 else length  # the length field overflows past 64 KiB of pairs
    return pairs


def subset(font: Face, used: set[int]) -> bytes:
    """The font file with only the glyphs `used` (and the missing-glyph box, and the parts of composite glyphs);
    every glyph keeps its id."""
    long_offsets = font.metric(b"head", 50) == 1
    count = font.metric(b"maxp", 4, ">H")
    loca = np.frombuffer(font.table(b"loca"), ">u4" if long_offsets else ">u2", count=count + 1).astype(np.int64)
    loca = loca if long_offsets else loca * 2
    glyf = font.table(b"glyf")
    kept = _with_components(glyf, loca, used | {0})
    pieces, offsets, at = [], [0], 0
    for glyph in range(count):
        piece = glyf[loca[glyph]:loca[glyph + 1]] if glyph in kept else b""
        piece += b"\0" * (-len(piece) % 4)
        pieces.append(piece)
        at += len(piece)
        offsets.append(at)
    head = bytearray(font.table(b"head"))
    head[8:12] = b"\0\0\0\0"  # checkSumAdjustment, set once the whole file is known
    head[50:52] = struct.pack(">h", 1)  # long loca offsets
    tables = {tag: font.table(tag) for tag in KEPT_TABLES if tag in font.tables}
    tables.update({b"head": bytes(head), b"glyf": b"".join(pieces), b"loca": np.array(offsets, ">u4").tobytes(),
                   b"post": b"\x00\x03\x00\x00" + font.table(b"post")[4:32]})  # version 3: no glyph names
    return _sfnt(tables)


def _with_components(glyf: bytes, loca: np.ndarray, glyphs: set[int]) -> set[int]:
    """`glyphs` and every glyph a composite among them is built from, however deep."""
    todo, kept = list(glyphs), set()
    while todo:
        glyph = todo.pop()
        if glyph in kept or glyph + 1 >= len(loca):
            continue
        kept.add(glyph)
        start, end = loca[glyph], loca[glyph + 1]
        if end - start < 10 or struct.unpack_from(">h", glyf, start)[0] >= 0:
            continue  # empty or simple
        at = start + 10
        while True:
            flags, component = struct.unpack_from(">HH", glyf, at)
            todo.append(component)
            at += 4 + (4 if flags & _ARGS_ARE_WORDS else 2) + sum(n for flag, n in _SCALE_BYTES if flags & flag)
            if not flags & _MORE_COMPONENTS:
                break
    return kept


def _sfnt(tables: dict[bytes, bytes]) -> bytes:
    """A TrueType file of `tables`, with its directory and checksums (head's checkSumAdjustment included)."""
    tags = sorted(tables)
    power = 1 << (len(tags).bit_length() - 1)
    directory = struct.pack(">IHHHH", 0x00010000, len(tags), power * 16, power.bit_length() - 1,
                            (len(tags) - power) * 16)
    at = 12 + 16 * len(tags)
    entries, bodies = [], []
    for tag in tags:
        body = tables[tag] + b"\0" * (-len(tables[tag]) % 4)
        entries.append(struct.pack(">4sIII", tag, _checksum(body), at, len(tables[tag])))
        bodies.append(body)
        at += len(body)
    font = bytearray(directory + b"".join(entries) + b"".join(bodies))
    head = 12 + 16 * len(tags) + sum(len(b) for b in bodies[:tags.index(b"head")])
    font[head + 8:head + 12] = struct.pack(">I", (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF)
    return bytes(font)


def _checksum(data: bytes) -> int:
    data += b"\0" * (-len(data) % 4)
    return int(np.frombuffer(data, ">u4").sum(dtype=np.uint64) & 0xFFFFFFFF)
