"""The one way a YAML file is read (the parameter files in models/ and a `--mapping` file): composed to nodes that
keep their line, bounded so that no file can explode, and every problem a located finding `FIL.yaml:rad`.

What is refused, each at the line of the offending node: a file over MAX_BYTES, text that is not UTF-8, YAML
syntax errors (tabs, unclosed brackets, two documents in one file), aliases (`*namn`), tags other than the
standard text/number/boolean/null/date scalars and plain lists and tables (`!!python/object:…`, `!foo`,
`!!binary`, `!!set`), a key that is a list, a table or empty, a scalar YAML cannot turn into its value
(`!!int abc`, `2024-13-01`), a number YAML 1.1 reads otherwise than a person would (`010` is octal 8, `1_0`
is 10, `1:30` is 90, `0x1F`, `1.0e-400` is 0), a key twice in one table (YAML keeps the last silently), more than
MAX_NODES nodes or nesting deeper than MAX_DEPTH, and a document that is
not a table. Nothing is ever constructed beyond the safe schema's scalars (libyaml's SafeLoader when PyYAML has
it: the same nodes, faster)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

from invest.base.findings import InputError, error
from invest.base.os_errors import said

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it: the same nodes, faster

# The largest models/ file is under 2 kB and a column mapping with hundreds of headers a few tens of kB; composing
# 256 KiB of the densest YAML ("[a,a,…]", ~130 000 nodes) takes well under a second and ~40 MB. A larger file is
# refused from its size, before it is read.
MAX_BYTES = 256 * 1024
# Unique nodes after composing: ten times what a large mapping file needs (a few thousand headers and words);
# bounds the work every loader does per node.
MAX_NODES = 20_000
# models/ files nest 6 levels (file, varden, date, entry, varde, component); a mapping 5. Far below where building a
# value recursively could exhaust Python's stack (libyaml itself stops at 1000 levels).
MAX_DEPTH = 20
# Aliases: none. No file in models/ uses one, a mapping file has no need for one, and a node reached through an
# alias has the line of its anchor, so a problem in it would be reported at the wrong line; refusing them also makes
# alias bombs ("billion laughs": nine levels of nine aliases, 9^9 nodes from 600 bytes) impossible.

_STANDARD = "tag:yaml.org,2002:"
_STR = _STANDARD + "str"
SCALAR_TAGS = frozenset(_STANDARD + t for t in ("str", "int", "float", "bool", "null", "timestamp"))
# What a plain "=" and "<<" resolve to: YAML's value and merge keys, which the safe schema cannot build or would
# merge tables by; here they are the text written.
_AS_TEXT = frozenset(_STANDARD + t for t in ("value", "merge"))
_KIND = {yaml.ScalarNode: "ett enskilt värde", yaml.SequenceNode: "en lista", yaml.MappingNode: "en tabell"}
_TAG_OF_KIND = {yaml.SequenceNode: _STANDARD + "seq", yaml.MappingNode: _STANDARD + "map"}


def read_mapping(path: Path, what: str, keys: str) -> yaml.MappingNode:
    """The top-level table of the YAML file `path`, every node checked; raises InputError with one finding at the
    file and line of the first problem. `what` names the file in messages ("mappningsfilen"), `keys` the keys its
    table takes."""
    path = Path(path)
    text = _read_text(path, what)
    try:
        root = yaml.compose(text, Loader=LOADER)
    except yaml.YAMLError as exc:
        raise _located(path, *_syntax_problem(exc, text)) from None
    except RecursionError:  # the pure-Python parser (no libyaml) has no nesting limit of its own
        raise _located(path, 1, f"{what} är för djupt nästlad (högst {MAX_DEPTH} nivåer)") from None
    if root is None:
        raise _located(path, 1, f"{what} är tom (väntat en tabell med nycklarna {keys})")
    _check_nodes(path, text, root)
    if not isinstance(root, yaml.MappingNode):
        raise _located(path, _line(root), f"{what} ska vara en tabell med nycklarna {keys}, inte {_KIND[type(root)]}")
    return root


def _located(path: Path, line: int, message: str) -> InputError:
    return InputError([error(f"{path}:{line}", message)])


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _read_text(path: Path, what: str) -> str:
    """The file's text, refused past MAX_BYTES (from its size before reading, and while reading for a file whose
    size is not known) or when it is not UTF-8 (at the line of the first bad byte)."""
    try:
        with open(path, "rb") as f:
            if (size := os.fstat(f.fileno()).st_size) > MAX_BYTES:
                raise _located(path, 1, f"{what} är {size / 2**20:.1f} MiB; en YAML-fil här får vara högst "
                                        f"{MAX_BYTES // 1024} KiB".replace(".", ","))
            data = f.read(size + 1 if size else MAX_BYTES + 1)  # not a 256 KiB buffer for every 1 kB file
            if len(data) > size:  # grown since, or a size the system does not know (a pipe): read on to the limit
                data += f.read(MAX_BYTES + 1 - len(data))
    except OSError as exc:
        raise InputError([error(str(path), f"{what} kan inte läsas: {said(exc)}")]) from None
    if len(data) > MAX_BYTES:
        raise _located(path, 1, f"{what} är större än {MAX_BYTES // 1024} KiB, det mesta en YAML-fil här får vara")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise _located(path, line, f"{what} är inte UTF-8-kodad (byte 0x{data[exc.start]:02x} kan inte läsas); "
                                   "spara filen som UTF-8") from None


def _syntax_problem(exc: yaml.YAMLError, text: str) -> tuple[int, str]:
    """The line and a Swedish message for PyYAML's scanner, parser or composer error (its problem_mark is where it
    stopped; the common mistakes are named, the rest keep PyYAML's own words after "ogiltig YAML")."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else 1
    problem = str(getattr(exc, "problem", None) or exc).strip()
    lines = text.splitlines()
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    if "cannot start any token" in problem and "\t" in here:
        return line, "ogiltig YAML: tabbtecken på raden; YAML drar in med mellanslag, inte med tabb"
    if "another document" in problem or "single document" in problem:
        return line, "ogiltig YAML: filen har mer än ett dokument (---); en fil ska ha ett enda"
    if "mapping values are not allowed" in problem:
        return line, ('ogiltig YAML: kolon på fel ställe (en text som innehåller ": " ska stå inom citattecken, '
                      f"och indraget ska stämma): {problem}")
    context = str(getattr(exc, "context", None) or "").strip()
    return line, f"ogiltig YAML: {problem}" + (f" ({context})" if context and context != problem else "")


def _check_nodes(path: Path, text: str, root: yaml.Node) -> None:
    """Every node once, in document order: the limits, no alias, only the standard tags, keys that are texts or
    numbers, scalars the safe schema can build. Raises at the first problem."""
    constructor = yaml.constructor.SafeConstructor()
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]  # node, depth, is a key
    while stack:
        node, depth, is_key = stack.pop()
        if id(node) in seen:  # the composer shares the anchored node: this is an alias
            raise _located(path, _alias_line(text, node), "alias (*namn) stöds inte: skriv ut värdet där det "
                                                          "används (ett alias visar fel rad vid fel och kan "
                                                          "mångfaldiga filen)")
        seen.add(id(node))
        if len(seen) > MAX_NODES:
            raise _located(path, _line(node), f"filen har fler än {MAX_NODES} värden, det mesta en YAML-fil här får ha")
        if depth > MAX_DEPTH:
            raise _located(path, _line(node), f"filen är nästlad djupare än {MAX_DEPTH} nivåer")
        _check_tag(path, node)
        if isinstance(node, yaml.ScalarNode):
            if node.tag != _STR:  # a text is always built; checking only the rest keeps loading models/ fast
                _check_scalar(path, node, constructor, is_key)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1, False) for item in reversed(node.value))
        else:
            for key, value in reversed(node.value):
                stack.append((value, depth + 1, False))
                stack.append((key, depth + 1, True))
            first_line: dict[str, int] = {}
            for key, _ in node.value:  # keys first: a list as a key is refused before its value is looked at
                if not isinstance(key, yaml.ScalarNode):
                    raise _located(path, _line(key), f"en nyckel ska vara en text, inte {_KIND[type(key)]}")
                if key.tag == _STANDARD + "null":
                    raise _located(path, _line(key), f'nyckeln är tom ("{key.value}"); skriv en text före kolonet')
                if key.value in first_line:  # YAML would keep the last one silently
                    raise _located(path, _line(key), f'nyckeln "{key.value[:60]}" står två gånger i samma tabell '
                                                     f"(första gången på rad {first_line[key.value]}); YAML skulle "
                                                     "tyst använda bara den sista: ta bort eller slå ihop den ena")
                first_line[key.value] = _line(key)


def _alias_line(text: str, node: yaml.Node) -> int:
    """The line of the first alias in the file (the events keep it; the composed node only has its anchor's)."""
    for event in yaml.parse(text, Loader=LOADER):
        if isinstance(event, yaml.AliasEvent):
            return event.start_mark.line + 1
    return _line(node)


def _shown(tag: str) -> str:
    return "!!" + tag[len(_STANDARD):] if tag.startswith(_STANDARD) else tag


def _check_tag(path: Path, node: yaml.Node) -> None:
    if isinstance(node, yaml.ScalarNode):
        if node.tag in _AS_TEXT:
            node.tag = _STANDARD + "str"
        if node.tag in SCALAR_TAGS:
            return
    elif node.tag == _TAG_OF_KIND[type(node)]:
        return
    raise _located(path, _line(node), f"taggen {_shown(node.tag)} stöds inte här ({_KIND[type(node)]}); bara "
                                      "vanliga texter, tal, datum, listor och tabeller utan !-taggar")


def _check_scalar(path: Path, node: yaml.ScalarNode, constructor, is_key: bool) -> None:
    """A scalar the safe schema can build (`!!int abc`, `2024-13-01` and `0b_` cannot); a key it cannot build is the
    text written (the loaders read keys as text and say themselves what a key should be, e.g. a date)."""
    try:
        read = constructor.construct_object(node)
    except Exception as exc:  # noqa: BLE001 — only the safe schema's scalar builders run here, and each fails its
        # own way on text it cannot read (ValueError, IndexError on "!!int ''", ConstructorError, OverflowError)
        if is_key:
            node.tag = _STANDARD + "str"
            return
        what = {"int": "ett heltal", "float": "ett tal", "bool": "ett sanningsvärde", "timestamp": "ett datum",
                "null": "tomt"}.get(node.tag[len(_STANDARD):], "ett värde")
        detail = getattr(exc, "problem", None) or exc
        raise _located(path, _line(node), f'"{node.value[:60]}" kan inte läsas som {what} ({detail})') from None
    if not is_key and node.tag in _NUMBER_TAGS and (problem := _misread_number(node.value, read)):
        raise _located(path, _line(node), problem)


_NUMBER_TAGS = frozenset(_STANDARD + t for t in ("int", "float"))
_PREFIXED = re.compile(r"^[-+]?0[xXoObB]")
_LEADING_ZERO = re.compile(r"^[-+]?0[0-9_]")


def _misread_number(text: str, read) -> str | None:
    """Why a number that YAML 1.1 reads (as `read`) differently from how a person reads it is refused, with what to
    write instead, or None: a leading zero (`010` is octal 8), an underscore (`1_0` is 10), a colon (`1:30` is 90,
    base 60), the `0x`/`0o`/`0b` forms, and a number too small for a float (`1.0e-400` is 0)."""
    quoted, shown = f'"{text[:60]}"', str(read).replace(".", ",")
    sign, digits = (text[0], text[1:]) if text[:1] in "+-" else ("", text)
    sign = "-" if sign == "-" else ""
    text_instead = "(eller inom citattecken om det är en text)"
    if isinstance(read, float) and read == 0 and re.search(r"[1-9]", re.split(r"[eE]", text, maxsplit=1)[0]):
        return (f"{quoted} läses i YAML som 0 (talet är för litet för ett flyttal); skriv 0 om det är det som "
                "menas, annars ett tal som inte är så nära 0")
    if _PREFIXED.match(text):
        return (f"{quoted} läses i YAML som {shown} (talet {digits[:2]}… är hexadecimalt, oktalt eller binärt); "
                f"skriv talet decimalt, som det är menat, t.ex. {shown} {text_instead}")
    if ":" in text:
        return (f"{quoted} läses i YAML som {shown} (ett tal i basen 60: 1:30 blir 90); skriv talet decimalt, som "
                f"det är menat {text_instead}")
    if "_" in text:
        return (f"{quoted} läses i YAML som {shown} (understrecken tas bort tyst); skriv talet utan understreck, "
                f"som det är menat {text_instead}")
    if _LEADING_ZERO.match(text):
        plain = digits.lstrip("0")
        plain = "0" + plain if plain[:1] in ("", ".") else plain
        why = "ett heltal med inledande nolla är oktalt i YAML" if isinstance(read, int) else "inledande nolla"
        return (f"{quoted} läses i YAML som {shown} ({why}); skriv talet utan inledande nolla, t.ex. {sign}{plain}, "
                f"som det är menat {text_instead}")
    return None
